import { useState } from 'react';
import { isBuiltIn, kindCan, type ManagerSummary } from '../../../src-shared/contract.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { RowMenu } from '../../components/RowMenu.js';
import { reloadCatalog } from '../../state/catalog.js';
import { showToast } from '../../state/stores.js';
import { ManagerFormDialog } from './ManagerFormDialog.js';
import { ManagerTestDialog, type ManagerTestOutcome } from './ManagerTestDialog.js';
import { RewrapKeysDialog } from './RewrapKeysDialog.js';
import { UnconfirmedWritesDialog } from './UnconfirmedWritesDialog.js';
import { managerErrorText, removeConfirmMessage, setDefaultBlockedReason } from './manager-form.js';
import { removeManager, setDefaultManager, testManager } from './managers-api.js';
import './managers.css';

interface ManagerRowActionsProps {
  manager: ManagerSummary;
  /** Smaller buttons for a table row. */
  compact?: boolean;
  /** Offers "Edit usage scope…" in the row menu. */
  onEditScope?: () => void;
}

type Open = 'test' | 'edit' | 'remove' | 'unconfirmed' | 'rewrap' | null;

/**
 * A manager's actions: Test and Edit as buttons, the rarer ones (usage
 * scope, Set as default, Remove) in a row menu so a table row stays one line.
 * The built-in store can only be made the default and scoped.
 */
export function ManagerRowActions({ manager, compact = false, onEditScope }: ManagerRowActionsProps) {
  const [open, setOpen] = useState<Open>(null);
  const [testing, setTesting] = useState(false);
  const [outcome, setOutcome] = useState<ManagerTestOutcome | null>(null);
  const [settingDefault, setSettingDefault] = useState(false);
  const isLocal = kindCan(manager.kind, isBuiltIn);
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
    // The row goes before the dialog closes, so focus goes to the table (focusWhenOpenerGone), not to a button about to vanish.
    await reloadCatalog();
    showToast(`Manager ${manager.name} removed`);
  };

  return (
    <>
      <span className="mgr-actions">
        {!isLocal && (
          // aria-disabled, not disabled: the test dialog opens at once and gives focus back here, which a disabled button cannot take.
          <button
            type="button"
            className={`btn${size}`}
            onClick={() => !testing && void runTest()}
            aria-disabled={testing || undefined}
            aria-busy={testing}
            aria-label={`Test connection of ${manager.name}`}
          >
            {testing ? 'Testing…' : 'Test'}
          </button>
        )}
        {!isLocal && (
          <button type="button" className={`btn${size}`} onClick={() => setOpen('edit')} aria-label={`Edit ${manager.name}`}>
            Edit
          </button>
        )}
        <RowMenu
          label={`More actions for ${manager.name}`}
          items={[
            ...(onEditScope
              ? [{ label: 'Edit usage scope…', onSelect: onEditScope, disabledReason: manager.readOnly ? 'This manager is read-only' : null }]
              : []),
            {
              label: settingDefault ? 'Setting as default…' : 'Set as default',
              onSelect: () => void makeDefault(),
              disabledReason: blocked ?? (settingDefault ? 'Already being set' : null),
            },
            // Only a secret store holds values Strongroom writes by name, which a broken batch can leave behind.
            ...(manager.role === 'secret-store' ? [{ label: 'Unconfirmed writes…', onSelect: () => setOpen('unconfirmed') }] : []),
            // Only a KMS key that rotates into versions leaves wraps under old versions to move.
            ...(kindCan(manager.kind, (spec) => spec.rewrapsKeys !== null) ? [{ label: 'Re-wrap keys…', onSelect: () => setOpen('rewrap') }] : []),
            ...(isLocal ? [] : [{ label: 'Remove…', onSelect: () => setOpen('remove'), danger: true }]),
          ]}
        />
      </span>
      <span className="dialog-host">
        {open === 'test' && <ManagerTestDialog manager={manager} busy={testing} outcome={outcome} onRetest={() => void runTest()} onClose={() => setOpen(null)} />}
        {open === 'edit' && <ManagerFormDialog manager={manager} onClose={() => setOpen(null)} />}
        {open === 'unconfirmed' && <UnconfirmedWritesDialog manager={manager} onClose={() => setOpen(null)} />}
        {open === 'rewrap' && <RewrapKeysDialog manager={manager} onClose={() => setOpen(null)} />}
        {open === 'remove' && (
          <ConfirmDialog
            title={`Remove ${manager.name}?`}
            message={removeConfirmMessage(manager)}
            confirmLabel="Remove manager"
            busyLabel="Removing…"
            onConfirm={remove}
            onClose={() => setOpen(null)}
            // The removed manager's row, this menu's button included, is gone: the managers table (ManagersView's DataTable) takes focus.
            focusWhenOpenerGone={() => document.querySelector<HTMLElement>('[role="region"][aria-label="Secret managers, scrollable"]')}
          />
        )}
      </span>
    </>
  );
}
