import { useId, useState, type FormEvent } from 'react';
import type { UsageScope } from '../../src-shared/contract.js';
import { describeError } from '../lib/errors.js';
import {
  changeRowApplication,
  describeScope,
  draftFromScope,
  environmentOptions,
  scopeFromDraft,
  type EnvironmentChoice,
  type ScopeDraft,
} from '../lib/scope.js';
import { useCatalog } from '../state/stores.js';
import { FieldSet } from './Field.js';
import { FormError } from './FormError.js';
import './scope-editor.css';

interface ScopeEditorProps {
  scope: UsageScope;
  /** Saves the new scope; a thrown error is shown inline. Returns false to keep the editor open without an error. */
  onSave: (scope: UsageScope) => Promise<void>;
  /** What the scope belongs to, for the legend: "this secret", "this manager". */
  owner: string;
  onCancel?: () => void;
}

/** Unscoped, or entries of (application or all) × (environment, type or all), plus "scope to account". */
export function ScopeEditor({ scope, onSave, owner, onCancel }: ScopeEditorProps) {
  const apps = useCatalog((s) => s.apps);
  const [draft, setDraft] = useState<ScopeDraft>(() => draftFromScope(scope));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const base = useId();
  const result = scopeFromDraft(draft);
  const dirty = JSON.stringify(result) !== JSON.stringify(scopeFromDraft(draftFromScope(scope)));

  const change = (next: ScopeDraft) => {
    setDraft(next);
    setError(null);
    setSaved(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSave(result);
      setSaved(true);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="scope-editor" onSubmit={(e) => void submit(e)} noValidate aria-label={`Usage scope of ${owner}`}>
      <FieldSet legend={`Who may use ${owner}`}>
        <div className="choice-row">
          <label className="choice">
            <input type="radio" name={`${base}-scoped`} checked={!draft.scoped} onChange={() => change({ ...draft, scoped: false })} />
            Unscoped (any application)
          </label>
          <label className="choice">
            <input
              type="radio"
              name={`${base}-scoped`}
              checked={draft.scoped}
              onChange={() => change({ ...draft, scoped: true, rows: draft.rows.length ? draft.rows : [{ applicationId: apps[0]?.id ?? null, environment: 'all' }] })}
            />
            Scoped
          </label>
        </div>
      </FieldSet>

      {draft.scoped && (
        <div className="scope-editor__entries">
          {draft.rows.length === 0 && <p className="field__hint">No entries: no application may use it.</p>}
          <ul className="scope-rows" aria-label="Scope entries">
            {draft.rows.map((row, i) => {
              const n = i + 1;
              return (
                <li key={i} className="scope-row">
                  <select
                    className="input"
                    aria-label={`Application for entry ${n}`}
                    value={row.applicationId ?? '*'}
                    onChange={(e) => {
                      const rows = [...draft.rows];
                      rows[i] = changeRowApplication(row, e.target.value === '*' ? null : e.target.value);
                      change({ ...draft, rows });
                    }}
                  >
                    <option value="*">All applications</option>
                    {apps.map((app) => (
                      <option key={app.id} value={app.id}>
                        {app.name}
                      </option>
                    ))}
                    {row.applicationId && !apps.some((app) => app.id === row.applicationId) && (
                      <option value={row.applicationId}>(deleted application)</option>
                    )}
                  </select>
                  <span className="scope-row__times" aria-hidden="true">
                    ×
                  </span>
                  <select
                    className="input"
                    aria-label={`Environment for entry ${n}`}
                    value={row.environment}
                    onChange={(e) => {
                      const rows = [...draft.rows];
                      rows[i] = { ...row, environment: e.target.value as EnvironmentChoice };
                      change({ ...draft, rows });
                    }}
                  >
                    {environmentOptions(row.applicationId, apps).map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    aria-label={`Remove entry ${n}`}
                    onClick={() => change({ ...draft, rows: draft.rows.filter((_, j) => j !== i) })}
                  >
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
          <div className="scope-editor__row">
            <button
              type="button"
              className="btn btn--small"
              onClick={() => change({ ...draft, rows: [...draft.rows, { applicationId: null, environment: 'all' }] })}
              disabled={draft.rows.length >= 200}
            >
              Add entry
            </button>
            <label className="choice">
              <input type="checkbox" checked={draft.scopeToAccount} onChange={(e) => change({ ...draft, scopeToAccount: e.target.checked })} />
              Scope to account (usable outside applications)
            </label>
          </div>
        </div>
      )}

      <p className="scope-summary" aria-live="polite">
        {describeScope(result, apps)}
      </p>
      <FormError message={error} />
      <div className="form__footer">
        <button type="submit" className="btn btn--primary" disabled={busy || !dirty} aria-busy={busy}>
          {busy ? 'Saving…' : 'Save scope'}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
        <p role="status" className="form-status is-ok">
          {saved && !dirty ? 'Scope saved.' : ''}
        </p>
      </div>
    </form>
  );
}
