import { useEffect, useState } from 'react';
import type { ManagerSummary, UsageScope } from '../../src-shared/contract.js';
import { describeError, isIpcError } from '../lib/errors.js';
import { describeScope } from '../lib/scope.js';
import { reloadCatalog, setManagerScope } from '../state/catalog.js';
import { showToast, useCatalog } from '../state/stores.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { DataTable, type DataColumn } from './DataTable.js';
import { Dialog } from './Dialog.js';
import { Panel } from './Panel.js';
import { ScopeEditor } from './ScopeEditor.js';
import { ManagerActions, ManagerHealth, ManagerRowActions, kindLabel } from '../features/managers/index.js';
import './managers-view.css';

/** Edits a manager's scope; when its secrets would no longer fit, asks: narrow them too, or cancel. */
function ManagerScopeDialog({ manager, onClose }: { manager: ManagerSummary; onClose: () => void }) {
  const [conflict, setConflict] = useState<{ scope: UsageScope; names: string[] } | null>(null);

  const save = async (scope: UsageScope) => {
    try {
      await setManagerScope(manager.id, scope, false);
      showToast(`Scope of ${manager.name} saved`);
      onClose();
    } catch (err) {
      if (isIpcError(err, 'SCOPE_CONFLICT')) {
        setConflict({ scope, names: err.error.conflicts ?? [] });
        return;
      }
      throw err;
    }
  };

  if (conflict) {
    const n = conflict.names.length;
    return (
      <ConfirmDialog
        title="Narrow these secrets too?"
        message={`${n} ${n === 1 ? 'secret of this manager is' : 'secrets of this manager are'} usable more widely than the new scope allows. Narrow ${n === 1 ? 'it' : 'them'} to fit inside the manager’s scope, or cancel and change nothing.`}
        confirmLabel="Narrow these secrets too"
        busyLabel="Narrowing…"
        onConfirm={async () => {
          const { narrowed } = await setManagerScope(manager.id, conflict.scope, true);
          showToast(`Scope of ${manager.name} saved; ${narrowed.length} ${narrowed.length === 1 ? 'secret' : 'secrets'} narrowed`);
        }}
        onClose={onClose}
        tone="primary"
        size="medium"
      >
        <ul className="conflict-list" aria-label="Secrets outside the new scope">
          {conflict.names.map((name) => (
            <li key={name} className="mono">
              {name}
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    );
  }

  return (
    <Dialog title={`Usage scope of ${manager.name}`} onClose={onClose} size="medium">
      <p className="dialog__body">Secrets in this manager can be used only within its scope. Each secret’s own scope must fit inside it.</p>
      <ScopeEditor scope={manager.scope} owner="this manager’s secrets" onSave={save} onCancel={onClose} />
    </Dialog>
  );
}

export function ManagersView() {
  const managers = useCatalog((s) => s.managers);
  const apps = useCatalog((s) => s.apps);
  const [editing, setEditing] = useState<ManagerSummary | null>(null);

  // Secret counts move with every change to the secrets; read them afresh.
  useEffect(() => {
    reloadCatalog().catch((err: unknown) => showToast(describeError(err)));
  }, []);

  const columns: DataColumn<ManagerSummary>[] = [
    { header: 'Name', cell: (manager) => manager.name },
    { header: 'Kind', cell: (manager) => kindLabel(manager.kind) },
    { header: 'Default', cell: (manager) => (manager.isDefault ? <span className="pill pill--sealed">Default</span> : '—') },
    { header: 'Secrets', numeric: true, cell: (manager) => manager.secretCount.toLocaleString('en') },
    { header: 'Health', cell: (manager) => <ManagerHealth manager={manager} compact /> },
    { header: 'Usage scope', className: 'table__wrap', cell: (manager) => describeScope(manager.scope, apps) },
    { header: 'Actions', headerHidden: true, cell: (manager) => <ManagerRowActions manager={manager} compact onEditScope={() => setEditing(manager)} /> },
  ];

  return (
    <Panel
      titleId="managers-title"
      title="Secret managers"
      subtitle="Where secrets are kept. The built-in store works offline and is unrestricted by default; new secrets go to the default manager."
      actions={<ManagerActions />}
    >
      <DataTable label="Secret managers" columns={columns} rows={managers} rowKey={(manager) => manager.id} emptyMessage="No secret managers." />
      {editing && <ManagerScopeDialog manager={editing} onClose={() => setEditing(null)} />}
    </Panel>
  );
}
