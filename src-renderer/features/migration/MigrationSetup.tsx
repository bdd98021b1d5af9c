import { useState, type FormEvent } from 'react';
import { secretTypes, type ManagerSummary } from '../../../src-shared/contract.js';
import { CheckboxField, Field, FieldSet } from '../../components/Field.js';
import { secretTypeLabels } from '../../lib/secret-types.js';
import { useCatalog } from '../../state/stores.js';
import { kindLabel } from '../managers/index.js';
import { useSavedSearches } from '../saved-searches/index.js';
import { rateText, useMigrationRates } from './migration-rates.js';
import { CONCURRENCY_MAX, CONCURRENCY_MIN, RATE_MAX, parseConcurrency, parseRate, updateDraft, useMigration, type MigrationDraft, type MigrationSelection } from './migration-state.js';
import { SourceSecretChooser } from './SourceSecretChooser.js';

const selectionLabels: Record<MigrationSelection, string> = {
  all: 'All secrets of the source',
  names: 'Chosen secrets',
  filter: 'Secrets matching a filter',
  saved: 'A saved search',
};

/** "name (kind)"; the built-in store's kind label already says its name. */
function managerLabel(m: ManagerSummary): string {
  const kind = kindLabel(m.kind);
  const readOnly = m.readOnly ? ' (read-only)' : '';
  return kind.startsWith(m.name) ? `${kind}${readOnly}` : `${m.name} (${kind}${m.readOnly ? ', read-only' : ''})`;
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

  const changeNames = (update: (chosen: readonly string[]) => string[]) => updateDraft({ names: update(useMigration.getState().draft.names) });
  const changeFilter = (change: Partial<MigrationDraft['filter']>) => updateDraft({ filter: { ...draft.filter, ...change } });

  return (
    <form className="form migration-setup" onSubmit={submit} noValidate aria-label="New migration">
      <div className="migration-setup__managers">
        <Field id="migration-source" label="From (source)">
          {(control) => (
            <select {...control} className="input" value={draft.sourceManagerId} onChange={(e) => updateDraft({ sourceManagerId: e.target.value })}>
              {managers.map((m) => (
                <option key={m.id} value={m.id}>
                  {managerLabel(m)} · {m.secretCount.toLocaleString('en')} secrets
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="migration-target" label="To (target)" error={sameManager ? 'The source and the target are the same manager.' : null}>
          {(control) => (
            <select {...control} className="input" value={draft.targetManagerId} onChange={(e) => updateDraft({ targetManagerId: e.target.value })}>
              <option value="">Choose a manager…</option>
              {managers.map((m) => (
                <option key={m.id} value={m.id}>
                  {managerLabel(m)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>

      <FieldSet legend="Secrets to move">
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
            <Field id="migration-filter-query" label="Name search" describedBy="migration-filter-hint">
              {(control) => (
                <input {...control} className="input" type="search" value={draft.filter.query} maxLength={128} onChange={(e) => changeFilter({ query: e.target.value })} />
              )}
            </Field>
            <Field id="migration-filter-app" label="Application">
              {(control) => (
                <select {...control} className="input" value={draft.filter.applicationId} onChange={(e) => changeFilter({ applicationId: e.target.value, environmentId: '' })}>
                  <option value="">Any application</option>
                  {apps.map((app) => (
                    <option key={app.id} value={app.id}>
                      {app.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id="migration-filter-env" label="Environment">
              {(control) => (
                <select {...control} className="input" value={draft.filter.environmentId} disabled={!filterApp} onChange={(e) => changeFilter({ environmentId: e.target.value })}>
                  <option value="">{filterApp ? 'Any environment' : 'Choose an application first'}</option>
                  {(filterApp?.environments ?? []).map((env) => (
                    <option key={env.id} value={env.id}>
                      {env.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <FieldSet legend="Types (none ticked: every type)" className="migration-setup__types">
              <div className="choice-row">
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
              </div>
            </FieldSet>
            <p className="field__hint migration-setup__filter-hint" id="migration-filter-hint">
              The secrets list’s own search, over the source’s secrets: names that match, of the ticked types, whose usage scope takes the application (and
              environment).
            </p>
          </div>
        )}
        {draft.selection === 'saved' && (
          <Field
            id="migration-saved-search"
            label="Saved search"
            className="migration-setup__filter"
            hint={savedSearches.length === 0 ? 'No saved searches yet: save one with “Save search” beside the secrets list’s filters.' : 'The secrets of the source it matches.'}
          >
            {(control) => (
              <select {...control} className="input" value={draft.savedSearchId} onChange={(e) => updateDraft({ savedSearchId: e.target.value })}>
                <option value="">Choose a saved search…</option>
                {savedSearches.map((search) => (
                  <option key={search.id} value={search.id}>
                    {search.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {choosing && draft.sourceManagerId && <SourceSecretChooser key={draft.sourceManagerId} managerId={draft.sourceManagerId} chosen={draft.names} onChange={changeNames} />}
      </FieldSet>

      <div className="choice-column">
        <CheckboxField
          id="migration-keep-references"
          label="Keep references as references"
          checked={draft.keepReferences}
          onChange={(keepReferences) => updateDraft({ keepReferences })}
          className="migration-setup__option"
          hint="A reference stays a reference when the target reaches the same remote (a manager of the same kind and address); only its manager changes and nothing is written remotely. Any other reference is copied in. The preview says which, and why."
        />
        <CheckboxField
          id="migration-all-versions"
          label="Move every version, oldest first"
          checked={draft.allVersions}
          onChange={(allVersions) => updateDraft({ allVersions })}
          className="migration-setup__option"
          hint="Without it the current version moves; older versions stay readable here."
        />
        <CheckboxField
          id="migration-delete-source"
          label="Delete the source copy after each secret has moved"
          checked={draft.deleteSource}
          onChange={(deleteSource) => updateDraft({ deleteSource })}
          className={`migration-setup__option${draft.deleteSource ? ' migration-setup__option--warning' : ''}`}
          hint={
            draft.deleteSource
              ? 'Warning: once a secret has switched to the target, its copy in the source store is removed by that store’s rules. Only copies Strongroom wrote are removed; a referenced remote secret is never deleted.'
              : 'The source copy is kept unless you tick this.'
          }
        />
      </div>

      <Field
        id="migration-concurrency"
        label="Requests in flight per manager"
        error={concurrencyError}
        hint="Default 16. Each provider’s published request quota limits the rate as well."
      >
        {(control) => (
          <input
            {...control}
            className="input input--short"
            type="number"
            inputMode="numeric"
            min={CONCURRENCY_MIN}
            max={CONCURRENCY_MAX}
            step={1}
            value={draft.concurrency}
            onChange={(e) => updateDraft({ concurrency: e.target.value })}
          />
        )}
      </Field>

      <Field
        id="migration-rate"
        label="Requests per second for this run (optional)"
        error={rateError}
        hint={
          <>
            <span className="migration-setup__rate-line">Empty: each manager’s own rate.</span>
            {runRates.map((rate) => (
              <span key={rate.managerId} className="migration-setup__rate-line">
                {rate.name}: {rateText(rate)}
              </span>
            ))}
            <span className="migration-setup__rate-line">
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
            </span>
          </>
        }
      >
        {(control) => (
          <input {...control} className="input input--short" type="number" min={0} step="any" value={draft.rate} onChange={(e) => updateDraft({ rate: e.target.value })} />
        )}
      </Field>

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
