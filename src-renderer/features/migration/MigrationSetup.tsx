import { useEffect, useState, type FormEvent } from 'react';
import { secretTypes, type ManagerSummary, type SecretSummary } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { describeError } from '../../lib/errors.js';
import { secretTypeLabels } from '../../lib/secret-types.js';
import { useCatalog } from '../../state/stores.js';
import { kindLabel } from '../managers/index.js';
import { useSavedSearches } from '../saved-searches/index.js';
import { rateText, useMigrationRates } from './migration-rates.js';
import { CONCURRENCY_MAX, CONCURRENCY_MIN, RATE_MAX, parseConcurrency, parseRate, updateDraft, type MigrationDraft, type MigrationSelection } from './migration-state.js';

const selectionLabels: Record<MigrationSelection, string> = {
  all: 'All secrets of the source',
  names: 'Chosen secrets',
  filter: 'Secrets matching a filter',
  saved: 'A saved search',
};

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
  const [rateError, setRateError] = useState<string | null>(null);
  const apps = useCatalog((s) => s.apps);
  const savedSearches = useSavedSearches((s) => s.items);
  const rates = useMigrationRates((s) => s.items);
  const choosing = draft.selection === 'names';
  const secrets = useSourceSecrets(draft.sourceManagerId, choosing);
  const sameManager = draft.sourceManagerId !== '' && draft.sourceManagerId === draft.targetManagerId;
  const nothingChosen = (choosing && draft.names.length === 0) || (draft.selection === 'saved' && !savedSearches.some((search) => search.id === draft.savedSearchId));
  const filterApp = apps.find((app) => app.id === draft.filter.applicationId);
  const runRates = rates.filter((rate) => rate.managerId === draft.sourceManagerId || rate.managerId === draft.targetManagerId);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const concurrency = parseConcurrency(draft.concurrency);
    setConcurrencyError(concurrency === null ? `Enter a whole number from ${CONCURRENCY_MIN} to ${CONCURRENCY_MAX}.` : null);
    const rate = parseRate(draft.rate);
    setRateError(rate === null ? `Enter a number of requests per second above 0, at most ${RATE_MAX.toLocaleString('en')}, or leave it empty.` : null);
    if (concurrency === null || rate === null || sameManager || nothingChosen || !draft.targetManagerId) return;
    onPreview();
  };

  const toggleName = (name: string, on: boolean) =>
    updateDraft({ names: on ? [...draft.names, name] : draft.names.filter((n) => n !== name) });
  const changeFilter = (change: Partial<MigrationDraft['filter']>) => updateDraft({ filter: { ...draft.filter, ...change } });

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
          {(Object.keys(selectionLabels) as MigrationSelection[]).map((selection) => (
            <label key={selection} className="choice">
              <input type="radio" name="migration-selection" checked={draft.selection === selection} onChange={() => updateDraft({ selection })} />
              {selectionLabels[selection]}
            </label>
          ))}
        </div>
        {draft.selection === 'filter' && (
          <div className="migration-setup__filter">
            <div className="field">
              <label htmlFor="migration-filter-query" className="field__label">
                Name search
              </label>
              <input
                id="migration-filter-query"
                className="input"
                type="search"
                value={draft.filter.query}
                maxLength={128}
                onChange={(e) => changeFilter({ query: e.target.value })}
                aria-describedby="migration-filter-hint"
              />
            </div>
            <div className="field">
              <label htmlFor="migration-filter-app" className="field__label">
                Application
              </label>
              <select
                id="migration-filter-app"
                className="input"
                value={draft.filter.applicationId}
                onChange={(e) => changeFilter({ applicationId: e.target.value, environmentId: '' })}
              >
                <option value="">Any application</option>
                {apps.map((app) => (
                  <option key={app.id} value={app.id}>
                    {app.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="migration-filter-env" className="field__label">
                Environment
              </label>
              <select
                id="migration-filter-env"
                className="input"
                value={draft.filter.environmentId}
                disabled={!filterApp}
                onChange={(e) => changeFilter({ environmentId: e.target.value })}
              >
                <option value="">{filterApp ? 'Any environment' : 'Choose an application first'}</option>
                {(filterApp?.environments ?? []).map((env) => (
                  <option key={env.id} value={env.id}>
                    {env.name}
                  </option>
                ))}
              </select>
            </div>
            <fieldset className="migration-setup__types">
              <legend className="field__label">Types (none ticked: every type)</legend>
              {secretTypes.map((type) => (
                <label key={type} className="choice">
                  <input
                    type="checkbox"
                    checked={draft.filter.types.includes(type)}
                    onChange={(e) => changeFilter({ types: e.target.checked ? [...draft.filter.types, type] : draft.filter.types.filter((t) => t !== type) })}
                  />
                  {secretTypeLabels[type]}
                </label>
              ))}
            </fieldset>
            <p className="field__hint" id="migration-filter-hint">
              The secrets list’s own search, over the source’s secrets: names that match, of the ticked types, whose usage scope takes the application (and
              environment).
            </p>
          </div>
        )}
        {draft.selection === 'saved' && (
          <div className="field migration-setup__filter">
            <label htmlFor="migration-saved-search" className="field__label">
              Saved search
            </label>
            <select
              id="migration-saved-search"
              className="input"
              value={draft.savedSearchId}
              onChange={(e) => updateDraft({ savedSearchId: e.target.value })}
              aria-describedby="migration-saved-search-hint"
            >
              <option value="">Choose a saved search…</option>
              {savedSearches.map((search) => (
                <option key={search.id} value={search.id}>
                  {search.name}
                </option>
              ))}
            </select>
            <p className="field__hint" id="migration-saved-search-hint">
              {savedSearches.length === 0 ? 'No saved searches yet: save one with “Save search” beside the secrets list’s filters.' : 'The secrets of the source it matches.'}
            </p>
          </div>
        )}
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
          <input
            type="checkbox"
            checked={draft.keepReferences}
            onChange={(e) => updateDraft({ keepReferences: e.target.checked })}
            aria-describedby="migration-keep-references-hint"
          />
          Keep references as references
        </label>
        <p className="field__hint migration-setup__indent" id="migration-keep-references-hint">
          A reference stays a reference when the target reaches the same remote (a manager of the same kind and address); only its manager changes and nothing is
          written remotely. Any other reference is copied in. The preview says which, and why.
        </p>
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

      <div className="field">
        <label htmlFor="migration-rate" className="field__label">
          Requests per second for this run (optional)
        </label>
        <input
          id="migration-rate"
          className="input input--short"
          type="number"
          min={0}
          step="any"
          value={draft.rate}
          onChange={(e) => updateDraft({ rate: e.target.value })}
          aria-invalid={rateError ? true : undefined}
          aria-describedby={`migration-rate-hint${rateError ? ' migration-rate-error' : ''}`}
        />
        <div className="field__hint" id="migration-rate-hint">
          <p className="migration-setup__rate-line">Empty: each manager’s own rate.</p>
          {runRates.map((rate) => (
            <p key={rate.managerId} className="migration-setup__rate-line">
              {rate.name}: {rateText(rate)}
            </p>
          ))}
          <p className="migration-setup__rate-line">
            <a
              href="#migration-rates"
              onClick={(e) => {
                e.preventDefault();
                const heading = document.getElementById('migration-rates-title');
                heading?.scrollIntoView({ block: 'start' });
                heading?.focus();
              }}
            >
              Change a manager’s rate
            </a>
          </p>
        </div>
        {rateError && (
          <p className="field__error" id="migration-rate-error">
            {rateError}
          </p>
        )}
      </div>

      <div className="form__footer">
        <button type="submit" className="btn btn--primary" disabled={busy || !draft.targetManagerId || sameManager || nothingChosen} aria-busy={busy}>
          {busy ? 'Previewing…' : 'Preview'}
        </button>
        {!draft.targetManagerId && <p className="field__hint">Choose a target to preview.</p>}
        {nothingChosen && <p className="field__hint">{draft.selection === 'saved' ? 'Choose a saved search.' : 'Choose at least one secret.'}</p>}
      </div>
    </form>
  );
}
