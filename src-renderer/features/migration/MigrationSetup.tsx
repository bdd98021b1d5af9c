import { useEffect, useState, type FormEvent } from 'react';
import type { ManagerSummary, SecretSummary } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { describeError } from '../../lib/errors.js';
import { kindLabel } from '../managers/index.js';
import { CONCURRENCY_MAX, CONCURRENCY_MIN, parseConcurrency, updateDraft, type MigrationDraft } from './migration-state.js';

/** The most secrets the "chosen secrets" list offers; a larger source is moved whole or by name from the CLI. */
const CHOOSABLE_LIMIT = 500;


/** "name (kind)"; the built-in store's kind label already says its name. */
function managerLabel(m: ManagerSummary): string {
  const kind = kindLabel(m.kind);
  const readOnly = m.readOnly ? ' (read-only)' : '';
  return kind.startsWith(m.name) ? `${kind}${readOnly}` : `${m.name} (${kind}${m.readOnly ? ', read-only' : ''})`;
}

/** The secrets of the source manager, for choosing some of them; null while they load. */
function useSourceSecrets(managerId: string, wanted: boolean) {
  const [state, setState] = useState<{ managerId: string; items: SecretSummary[]; total: number; error: string | null } | null>(null);
  useEffect(() => {
    if (!wanted || !managerId) return;
    let live = true;
    call('secrets.list', { managerId, limit: CHOOSABLE_LIMIT })
      .then(({ items, total }) => live && setState({ managerId, items, total, error: null }))
      .catch((err: unknown) => live && setState({ managerId, items: [], total: 0, error: describeError(err) }));
    return () => {
      live = false;
    };
  }, [managerId, wanted]);
  // A list read for another source is not this one's.
  return state?.managerId === managerId ? state : null;
}

interface MigrationSetupProps {
  draft: MigrationDraft;
  managers: ManagerSummary[];
  busy: boolean;
  onPreview: () => void;
}

/** Source, target, which secrets, and how: everything the preview and the run are asked for. */
export function MigrationSetup({ draft, managers, busy, onPreview }: MigrationSetupProps) {
  const [concurrencyError, setConcurrencyError] = useState<string | null>(null);
  const choosing = draft.selection === 'names';
  const secrets = useSourceSecrets(draft.sourceManagerId, choosing);
  const sameManager = draft.sourceManagerId !== '' && draft.sourceManagerId === draft.targetManagerId;
  const nothingChosen = choosing && draft.names.length === 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const concurrency = parseConcurrency(draft.concurrency);
    setConcurrencyError(concurrency === null ? `Enter a whole number from ${CONCURRENCY_MIN} to ${CONCURRENCY_MAX}.` : null);
    if (concurrency === null || sameManager || nothingChosen || !draft.targetManagerId) return;
    onPreview();
  };

  const toggleName = (name: string, on: boolean) =>
    updateDraft({ names: on ? [...draft.names, name] : draft.names.filter((n) => n !== name) });

  return (
    <form className="form migration-setup" onSubmit={submit} noValidate aria-label="New migration">
      <div className="migration-setup__managers">
        <div className="field">
          <label htmlFor="migration-source" className="field__label">
            From (source)
          </label>
          <select id="migration-source" className="input" value={draft.sourceManagerId} onChange={(e) => updateDraft({ sourceManagerId: e.target.value })}>
            {managers.map((m) => (
              <option key={m.id} value={m.id}>
                {managerLabel(m)} · {m.secretCount.toLocaleString('en')} secrets
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="migration-target" className="field__label">
            To (target)
          </label>
          <select
            id="migration-target"
            className="input"
            value={draft.targetManagerId}
            onChange={(e) => updateDraft({ targetManagerId: e.target.value })}
            aria-invalid={sameManager || undefined}
            aria-describedby={sameManager ? 'migration-target-error' : undefined}
          >
            <option value="">Choose a manager…</option>
            {managers.map((m) => (
              <option key={m.id} value={m.id}>
                {managerLabel(m)}
              </option>
            ))}
          </select>
          {sameManager && (
            <p className="field__error" id="migration-target-error">
              The source and the target are the same manager.
            </p>
          )}
        </div>
      </div>

      <fieldset className="fieldset">
        <legend className="field__label">Secrets to move</legend>
        <div className="choice-row">
          <label className="choice">
            <input type="radio" name="migration-selection" checked={!choosing} onChange={() => updateDraft({ selection: 'all' })} />
            All secrets of the source
          </label>
          <label className="choice">
            <input type="radio" name="migration-selection" checked={choosing} onChange={() => updateDraft({ selection: 'names' })} />
            Chosen secrets
          </label>
        </div>
        {choosing && (
          <div className="migration-setup__names">
            {secrets === null ? (
              <p className="field__hint">Loading the source’s secrets…</p>
            ) : secrets.error ? (
              <p className="field__error">{secrets.error}</p>
            ) : secrets.items.length === 0 ? (
              <p className="field__hint">The source holds no secrets.</p>
            ) : (
              <>
                <ul className="migration-setup__name-list" aria-label="Secrets of the source">
                  {secrets.items.map((secret) => (
                    <li key={secret.id}>
                      <label className="choice mono">
                        <input type="checkbox" checked={draft.names.includes(secret.name)} onChange={(e) => toggleName(secret.name, e.target.checked)} />
                        {secret.name}
                      </label>
                    </li>
                  ))}
                </ul>
                <p className="field__hint">
                  {draft.names.length.toLocaleString('en')} chosen
                  {secrets.total > secrets.items.length ? `; the first ${secrets.items.length} of ${secrets.total.toLocaleString('en')} are listed` : ''}.
                </p>
              </>
            )}
          </div>
        )}
      </fieldset>

      <div className="choice-column">
        <label className="choice">
          <input type="checkbox" checked={draft.allVersions} onChange={(e) => updateDraft({ allVersions: e.target.checked })} />
          Move every version, oldest first
        </label>
        <p className="field__hint migration-setup__indent">Without it the current version moves; older versions stay readable here.</p>
        <label className="choice">
          <input
            type="checkbox"
            checked={draft.deleteSource}
            onChange={(e) => updateDraft({ deleteSource: e.target.checked })}
            aria-describedby="migration-delete-warning"
          />
          Delete the source copy after each secret has moved
        </label>
        <p id="migration-delete-warning" className={`migration-setup__indent ${draft.deleteSource ? 'migration-warning' : 'field__hint'}`}>
          {draft.deleteSource
            ? 'Warning: once a secret has switched to the target, its copy in the source store is removed by that store’s rules. Only copies Strongroom wrote are removed; a referenced remote secret is never deleted.'
            : 'The source copy is kept unless you tick this.'}
        </p>
      </div>

      <div className="field">
        <label htmlFor="migration-concurrency" className="field__label">
          Secrets in flight at once
        </label>
        <input
          id="migration-concurrency"
          className="input input--short"
          type="number"
          inputMode="numeric"
          min={CONCURRENCY_MIN}
          max={CONCURRENCY_MAX}
          step={1}
          value={draft.concurrency}
          onChange={(e) => updateDraft({ concurrency: e.target.value })}
          aria-invalid={concurrencyError ? true : undefined}
          aria-describedby={`migration-concurrency-hint${concurrencyError ? ' migration-concurrency-error' : ''}`}
        />
        <p className="field__hint" id="migration-concurrency-hint">
          Default 16. Each provider’s published request quota limits the rate as well.
        </p>
        {concurrencyError && (
          <p className="field__error" id="migration-concurrency-error">
            {concurrencyError}
          </p>
        )}
      </div>

      <div className="form__footer">
        <button type="submit" className="btn btn--primary" disabled={busy || !draft.targetManagerId || sameManager || nothingChosen} aria-busy={busy}>
          {busy ? 'Previewing…' : 'Preview'}
        </button>
        {!draft.targetManagerId && <p className="field__hint">Choose a target to preview.</p>}
        {nothingChosen && <p className="field__hint">Choose at least one secret.</p>}
      </div>
    </form>
  );
}
