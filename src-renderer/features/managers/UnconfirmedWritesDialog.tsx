import { useEffect, useState } from 'react';
import type { ManagerSummary, PendingRemoteWrite } from '../../../src-shared/contract.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { DismissAction } from '../../components/DialogActions.js';
import { FormError } from '../../components/FormError.js';
import { formatDateTime } from '../../lib/format.js';
import { showToast } from '../../state/stores.js';
import { managerErrorText } from './manager-form.js';
import { forgetPendingWrite, pendingWrites } from './managers-api.js';

/**
 * The writes into this secret store that a failed or interrupted batch left
 * unconfirmed: each name may hold a value Strongroom wrote with no secret here.
 * Strongroom deletes nothing for them remotely (it cannot tell its value from
 * one written there since); the admin checks the store and then forgets the
 * entry, as `strongroom manager orphans forget ID` does.
 */
export function UnconfirmedWritesDialog({ manager, onClose }: { manager: ManagerSummary; onClose: () => void }) {
  const [items, setItems] = useState<PendingRemoteWrite[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [forgetting, setForgetting] = useState<number | null>(null);

  useEffect(() => {
    pendingWrites(manager.id).then(setItems, (err: unknown) => setError(managerErrorText(err)));
  }, [manager.id]);

  const forget = async (item: PendingRemoteWrite) => {
    setForgetting(item.id);
    setError(null);
    try {
      await forgetPendingWrite(item.id);
      setItems((current) => current?.filter((other) => other.id !== item.id) ?? null);
      showToast(`Forgot the unconfirmed write of "${item.remoteName}"; whatever is at that name in ${manager.name} is left as it is.`);
    } catch (err) {
      setError(managerErrorText(err));
    } finally {
      setForgetting(null);
    }
  };

  const columns: DataColumn<PendingRemoteWrite>[] = [
    { header: 'Name in the store', mono: true, cell: (item) => item.remoteName },
    { header: 'Written', cell: (item) => formatDateTime(item.createdAt) },
    {
      header: 'Actions',
      headerHidden: true,
      cell: (item) => (
        <button
          type="button"
          className="btn btn--small"
          onClick={() => void forget(item)}
          disabled={forgetting !== null}
          aria-busy={forgetting === item.id}
          aria-label={`Forget ${item.remoteName} (checked in the store)`}
        >
          {forgetting === item.id ? 'Forgetting…' : 'Forget'}
        </button>
      ),
    },
  ];

  return (
    <Dialog title={`Unconfirmed writes in ${manager.name}`} onClose={onClose} size="medium">
      <p className="dialog__body">
        A batch that failed or was interrupted wrote these names into the store without confirming them: each may hold a value with no secret here. Check the
        store at each name, delete it there or add it as a reference, then forget it here. Strongroom deletes nothing in the store for you.
      </p>
      {error && <FormError message={error} />}
      {items === null && !error && <p aria-busy="true">Loading…</p>}
      {items && (
        <DataTable
          label={`Unconfirmed writes in ${manager.name}`}
          columns={columns}
          rows={items}
          rowKey={(item) => item.id}
          emptyMessage="No unconfirmed writes: every value Strongroom wrote into this store belongs to a secret here."
        />
      )}
      <DismissAction label="Close" onClose={onClose} />
    </Dialog>
  );
}
