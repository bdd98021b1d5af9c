import { useState, type FormEvent } from 'react';
import type { ScopeManyReport } from '../../../src-shared/contract.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/FormError.js';
import { StopActions } from '../../components/StopActions.js';
import { describeError } from '../../lib/errors.js';
import { changeRowApplication, environmentOptions, type EnvironmentChoice, type ScopeRow } from '../../lib/scope.js';
import { useCatalog } from '../../state/stores.js';
import { OperationProgress, useOperation } from '../operations/index.js';
import { editScopes, type BulkTarget } from './bulk-scope-api.js';
import { actionLabel, bulkScopeModes, editFor, reportText, type BulkScopeMode } from './bulk-scope-edit.js';

interface BulkScopeDialogProps {
  /** The secrets ticked in the list, or the list's search and filters when nothing is ticked (every secret they match). */
  target: BulkTarget;
  /** How many secrets that is. */
  count: number;
  /** For the listed ones: "matching “db” in billing", or empty for the whole list. */
  selection: string;
  onClose: () => void;
}

/**
 * One usage-scope change for the secrets ticked in the list, or, when none
 * is, every secret the list shows (its search and filters): add, remove or
 * set one entry, or unscope them. Main writes it in
 * batches of one transaction each; Stop takes effect between batches, and the
 * report says how many changed.
 */
export function BulkScopeDialog({ target, count, selection, onClose }: BulkScopeDialogProps) {
  const apps = useCatalog((s) => s.apps);
  const [mode, setMode] = useState<BulkScopeMode>('add');
  const [row, setRow] = useState<ScopeRow>({ applicationId: apps[0]?.id ?? null, environment: 'all' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<ScopeManyReport | null>(null);
  const operation = useOperation();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(await operation.run((operationId) => editScopes(target, editFor(mode, row), operationId)));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (report) {
    return (
      <Dialog key="report" title="Scope edit finished" onClose={onClose}>
        <div className="dialog__body report" role="status">
          <p>{reportText(report)}</p>
          {report.failed.length > 0 && (
            <>
              <p>Left as they were:</p>
              <ul>
                {report.failed.map((item) => (
                  <li key={item.name}>
                    <span className="mono">{item.name}</span>: {item.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div className="dialog__actions">
          <button type="button" className="btn btn--primary" onClick={onClose} data-autofocus>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title="Edit scope of several secrets" onClose={onClose} size="medium">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="dialog__body">
          {target.kind === 'picked' ? (
            <>
              Changes the usage scope of the {count.toLocaleString('en')} selected {count === 1 ? 'secret' : 'secrets'}.
            </>
          ) : (
            <>
              No secret is selected, so this changes the usage scope of all {count.toLocaleString('en')} {count === 1 ? 'secret' : 'secrets'} the list shows
              {selection ? ` (${selection})` : ''}.
            </>
          )}{' '}
          They are written in batches; a stop takes effect between batches and keeps what was changed.
        </p>
        <fieldset className="fieldset" disabled={busy}>
          <legend className="field__label">Change</legend>
          {(Object.keys(bulkScopeModes) as BulkScopeMode[]).map((key, i) => (
            <label className="choice" key={key}>
              <input type="radio" name="bulk-scope-mode" checked={mode === key} onChange={() => setMode(key)} data-autofocus={i === 0 || undefined} />
              {bulkScopeModes[key]}
            </label>
          ))}
        </fieldset>
        {mode !== 'unscope' && (
          <fieldset className="fieldset" disabled={busy}>
            <legend className="field__label">Entry</legend>
            <div className="scope-row">
              <select
                className="input"
                aria-label="Application"
                value={row.applicationId ?? '*'}
                onChange={(e) => setRow(changeRowApplication(row, e.target.value === '*' ? null : e.target.value))}
              >
                <option value="*">All applications</option>
                {apps.map((app) => (
                  <option key={app.id} value={app.id}>
                    {app.name}
                  </option>
                ))}
              </select>
              <select className="input" aria-label="Environment" value={row.environment} onChange={(e) => setRow({ ...row, environment: e.target.value as EnvironmentChoice })}>
                {environmentOptions(row.applicationId, apps).map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>
        )}
        {busy && operation.progress && <OperationProgress label="Scope edit progress" progress={operation.progress} />}
        <FormError message={error} />
        {busy ? (
          // Safe: every batch is one transaction, and a stop is honoured only between them.
          <StopActions label="Stop editing" busyLabel="Editing…" stopping={operation.stopping} onStop={() => void operation.stop()} />
        ) : (
          <div className="dialog__actions">
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn--primary" disabled={count === 0}>
              {actionLabel(mode, row, apps, count)}
            </button>
          </div>
        )}
      </form>
    </Dialog>
  );
}
