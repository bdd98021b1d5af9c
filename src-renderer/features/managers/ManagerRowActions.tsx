import { useState } from 'react';
import type { ManagerSummary } from '../../../src-shared/contract.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { showToast } from '../../state/stores.js';
import { ManagerFormDialog } from './ManagerFormDialog.js';
import { ManagerTestDialog, type ManagerTestOutcome } from './ManagerTestDialog.js';
import { managerErrorText, removeConfirmMessage, setDefaultBlockedReason } from './manager-form.js';
import { removeManager, setDefaultManager, testManager } from './managers-api.js';
import './managers.css';

interface ManagerRowActionsProps {
  manager: ManagerSummary;
  /** Smaller buttons for a table row. */
  compact?: boolean;
}

type Open = 'test' | 'edit' | 'remove' | null;

/**
 * A manager's actions: Test connection, Set as default, Edit, Remove.
 * The built-in store can only be made the default.
 */
export function ManagerRowActions({ manager, compact = false }: ManagerRowActionsProps) {
  const [open, setOpen] = useState<Open>(null);
  const [testing, setTesting] = useState(false);
  const [outcome, setOutcome] = useState<ManagerTestOutcome | null>(null);
  const [settingDefault, setSettingDefault] = useState(false);
  const isLocal = manager.kind === 'local';
  const size = compact ? ' btn--small' : '';
  const blocked = setDefaultBlockedReason(manager);

  const runTest = async () => {
    setOpen('test');
    setTesting(true);
    try {
      const { result } = await testManager(manager.id);
      setOutcome({ result, error: null, at: Date.now() });
    } catch (err) {
      setOutcome({ result: null, error: managerErrorText(err), at: Date.now() });
    } finally {
      setTesting(false);
    }
  };

  const makeDefault = async () => {
    setSettingDefault(true);
    try {
      await setDefaultManager(manager.id);
      showToast(`${manager.name} is now the default manager. Existing secrets stay where they are.`);
    } catch (err) {
      showToast(managerErrorText(err));
    } finally {
      setSettingDefault(false);
    }
  };

  const remove = async () => {
    try {
      await removeManager(manager.id);
    } catch (err) {
      // ConfirmDialog shows the message of what it catches.
      throw new Error(managerErrorText(err), { cause: err });
    }
    showToast(`Manager ${manager.name} removed`);
  };

  return (
    <>
      <span className="mgr-actions">
        {!isLocal && (
          <button type="button" className={`btn${size}`} onClick={() => void runTest()} disabled={testing} aria-busy={testing} aria-label={`Test connection of ${manager.name}`}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
        )}
        <button
          type="button"
          className={`btn${size}`}
          onClick={() => void makeDefault()}
          disabled={blocked !== null || settingDefault}
          aria-busy={settingDefault}
          title={blocked ?? 'New secrets go to the default manager; existing secrets stay where they are'}
          aria-label={`Set ${manager.name} as default`}
        >
          Set as default
        </button>
        {!isLocal && (
          <>
            <button type="button" className={`btn${size}`} onClick={() => setOpen('edit')} aria-label={`Edit ${manager.name}`}>
              Edit
            </button>
            <button type="button" className={`btn btn--danger-ghost${size}`} onClick={() => setOpen('remove')} aria-label={`Remove ${manager.name}`}>
              Remove
            </button>
          </>
        )}
      </span>
      <span className="dialog-host">
        {open === 'test' && <ManagerTestDialog manager={manager} busy={testing} outcome={outcome} onRetest={() => void runTest()} onClose={() => setOpen(null)} />}
        {open === 'edit' && <ManagerFormDialog manager={manager} onClose={() => setOpen(null)} />}
        {open === 'remove' && (
          <ConfirmDialog
            title={`Remove ${manager.name}?`}
            message={removeConfirmMessage(manager)}
            confirmLabel="Remove manager"
            busyLabel="Removing…"
            onConfirm={remove}
            onClose={() => setOpen(null)}
          />
        )}
      </span>
    </>
  );
}
