import { useState, type FormEvent } from 'react';
import { externalManagerKinds, managerKindSpecs, type ManagerSummary } from '../../../src-shared/contract.js';
import { Dialog } from '../../components/Dialog.js';
import { DialogActions } from '../../components/DialogActions.js';
import { CheckboxField, Field, FieldSet } from '../../components/Field.js';
import { FormError } from '../../components/FormError.js';
import { IpcCallError } from '../../lib/errors.js';
import { showToast } from '../../state/stores.js';
import { ManagerField, fieldDomId } from './ManagerField.js';
import {
  initialManagerValues,
  kindLabel,
  visibleManagerFields,
  type ExternalKind,
  type ManagerFieldDef,
  type ManagerFormValues,
} from './manager-fields.js';
import {
  buildFetchConfig,
  buildManagerConfig,
  fetchedChoices,
  hasFormErrors,
  isFetchable,
  managerErrorText,
  managerErrorsFromServer,
  updateRequestName,
  validateManagerName,
  valuesFromPublicConfig,
  type FetchedChoice,
  type ManagerFormErrors,
} from './manager-form.js';
import { addManager, fetchManagerOptions, updateManager } from './managers-api.js';
import './managers.css';

interface ManagerFormDialogProps {
  /** The manager being edited; absent when adding one. */
  manager?: ManagerSummary;
  onClose: () => void;
  onSaved?: (manager: ManagerSummary) => void;
}

interface FetchState {
  busy: boolean;
  error: string | null;
  choices: FetchedChoice[] | null;
}

function isExternal(kind: string): kind is ExternalKind {
  return (externalManagerKinds as readonly string[]).includes(kind);
}

/**
 * Adds a manager, or edits one. Secret fields never come back from main, so
 * replacing an existing manager's configuration means entering them again;
 * renaming and the read-only flag change without it.
 */
export function ManagerFormDialog({ manager, onClose, onSaved }: ManagerFormDialogProps) {
  const editing = manager !== undefined;
  const startKind: ExternalKind = manager && isExternal(manager.kind) ? manager.kind : 'vault';
  const [kind, setKind] = useState<ExternalKind>(startKind);
  const [name, setName] = useState(manager?.name ?? '');
  const [readOnly, setReadOnly] = useState(manager?.readOnly ?? false);
  const [values, setValues] = useState<ManagerFormValues>(() => (manager && isExternal(manager.kind) ? valuesFromPublicConfig(manager.kind, manager.publicConfig) : initialManagerValues(startKind)));
  const [replaceConfig, setReplaceConfig] = useState(!editing);
  const [showAdvanced, setShowAdvanced] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<ManagerFormErrors>({});
  const [localErrors, setLocalErrors] = useState<ManagerFormErrors>({});
  const [fetchState, setFetchState] = useState<FetchState>({ busy: false, error: null, choices: null });
  const [busy, setBusy] = useState(false);
  /** The last add failed its connection test: the user may store it untested, explicitly. */
  const [testFailed, setTestFailed] = useState(false);

  const canBeReadOnly = managerKindSpecs[kind].role === 'secret-store';
  const fetching = managerKindSpecs[kind].fetchesOptions;
  const fields = visibleManagerFields(kind, values);
  const basic = fields.filter((field) => !field.advanced);
  const advanced = fields.filter((field) => field.advanced);

  const clientErrorsNow = (): ManagerFormErrors => {
    const errors: ManagerFormErrors = {};
    const nameError = validateManagerName(name);
    if (nameError) errors.name = nameError;
    if (replaceConfig) Object.assign(errors, buildManagerConfig(kind, values, readOnly).errors);
    return errors;
  };
  const clientErrors = submitted ? clientErrorsNow() : {};
  const errors: ManagerFormErrors = { ...serverErrors, ...localErrors, ...clientErrors };
  const advancedHasError = advanced.some((field) => errors[field.key]);
  const advancedOpen = showAdvanced || advancedHasError;

  const change = (key: string, value: string | boolean) => {
    setValues((current) => ({ ...current, [key]: value }));
    setServerErrors(({ [key]: _stale, form: _form, ...rest }) => rest);
  };
  const localError = (key: string, message: string | null) =>
    setLocalErrors(({ [key]: _old, ...rest }) => (message ? { ...rest, [key]: message } : rest));

  const chooseKind = (next: ExternalKind) => {
    setKind(next);
    setValues(initialManagerValues(next));
    setServerErrors({});
    setLocalErrors({});
    setFetchState({ busy: false, error: null, choices: null });
    setSubmitted(false);
    if (managerKindSpecs[next].role !== 'secret-store') setReadOnly(false);
  };

  const runFetch = async () => {
    if (!isFetchable(kind)) return;
    const partial = buildFetchConfig(kind, values);
    if (hasFormErrors(partial.errors)) {
      setServerErrors((current) => ({ ...current, ...partial.errors }));
      setFetchState({ busy: false, error: 'Fill in the fields marked above first.', choices: null });
      return;
    }
    setFetchState({ busy: true, error: null, choices: null });
    try {
      const choices = fetchedChoices(await fetchManagerOptions(kind, partial.config));
      setFetchState({
        busy: false,
        error: choices.length === 0 ? (fetching?.noneFound ?? null) : null,
        choices,
      });
    } catch (err) {
      setFetchState({ busy: false, error: managerErrorText(err), choices: null });
    }
  };

  const pickFetched = (index: string) => {
    const choice = fetchState.choices?.[Number(index)];
    if (!choice) return;
    for (const [key, value] of Object.entries(choice.patch)) change(key, value);
  };

  const submit = async (event: FormEvent | null, skipTest = false) => {
    event?.preventDefault();
    if (busy) return;
    setSubmitted(true);
    const found = { ...clientErrorsNow(), ...localErrors };
    if (hasFormErrors(found)) {
      const order = ['name', ...fields.map((field) => field.key)];
      const first = order.find((key) => found[key]);
      if (first && advanced.some((field) => field.key === first)) setShowAdvanced(true);
      if (first) requestAnimationFrame(() => document.getElementById(first === 'name' ? 'manager-name' : fieldDomId(first))?.focus());
      return;
    }
    const trimmed = name.trim();
    if (manager && !replaceConfig && trimmed === manager.name && readOnly === manager.readOnly) {
      onClose();
      return;
    }
    setBusy(true);
    setServerErrors({});
    setTestFailed(false);
    try {
      let saved: ManagerSummary;
      if (manager) {
        saved = await updateManager(manager, {
          name: updateRequestName(manager, trimmed),
          readOnly: readOnly !== manager.readOnly ? readOnly : undefined,
          config: replaceConfig ? buildManagerConfig(kind, values, readOnly).config : undefined,
        });
        showToast(`Manager ${saved.name} saved`);
      } else {
        saved = await addManager({ name: trimmed, kind, config: buildManagerConfig(kind, values, readOnly).config, readOnly: canBeReadOnly && readOnly, skipTest });
        showToast(skipTest ? `Manager ${saved.name} added untested. Test its connection to check the credentials.` : `Manager ${saved.name} added; its connection test passed.`);
      }
      onSaved?.(saved);
      onClose();
    } catch (err) {
      const mapped = managerErrorsFromServer(kind, err);
      setServerErrors(mapped);
      setTestFailed(!manager && err instanceof IpcCallError && err.code.startsWith('PROVIDER_'));
      if (advanced.some((field) => mapped[field.key])) setShowAdvanced(true);
      setBusy(false);
    }
  };

  const renderField = (field: ManagerFieldDef) => {
    const fetchable = field.fetch === true && fetching !== null && replaceConfig;
    return (
      <ManagerField
        key={field.key}
        field={field}
        values={values}
        error={errors[field.key]}
        onChange={change}
        onLocalError={localError}
        extraHint={editing && field.secret ? 'Secrets are never shown again: enter it anew.' : undefined}
        aside={
          fetchable ? (
            <button type="button" className="btn" onClick={() => void runFetch()} disabled={fetchState.busy} aria-busy={fetchState.busy}>
              {fetchState.busy ? (
                <>
                  <span className="spinner" aria-hidden="true" /> Fetching…
                </>
              ) : (
                fetching.fetchLabel
              )}
            </button>
          ) : undefined
        }
        below={
          fetchable && (fetchState.choices?.length || fetchState.error) ? (
            <div className="mgr-fetched">
              {fetchState.error && (
                <p className="field__error" role="alert">
                  {fetchState.error}
                </p>
              )}
              {fetchState.choices && fetchState.choices.length > 0 && (
                <select className="input" aria-label={fetching.listLabel} value="" onChange={(e) => pickFetched(e.target.value)}>
                  <option value="" disabled>
                    Choose one of {fetchState.choices.length} found…
                  </option>
                  {fetchState.choices.map((choice, index) => (
                    <option key={choice.label} value={index}>
                      {choice.label}
                      {choice.detail ? ` — ${choice.detail}` : ''}
                    </option>
                  ))}
                </select>
              )}
            </div>
          ) : undefined
        }
      />
    );
  };

  const title = manager ? `Edit ${manager.name}` : 'Add manager';
  return (
    <Dialog title={title} onClose={onClose} size="medium">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={title}>
        <div className="mgr-form__body">
          {!editing && (
            <FieldSet legend="Kind">
              <div className="mgr-kind-picker">
                {externalManagerKinds.map((candidate) => (
                  <label key={candidate} className={`mgr-kind-card${candidate === kind ? ' is-checked' : ''}`}>
                    <input type="radio" name="manager-kind" value={candidate} checked={candidate === kind} onChange={() => chooseKind(candidate)} />
                    <span className="mgr-kind-card__text">
                      <span className="mgr-kind-card__label">{managerKindSpecs[candidate].label}</span>
                      <span className="mgr-kind-card__hint">{managerKindSpecs[candidate].hint}</span>
                    </span>
                  </label>
                ))}
              </div>
            </FieldSet>
          )}
          {editing && (
            <p className="field__hint">
              {kindLabel(kind)}. {manager.secretCount.toLocaleString('en')} {manager.secretCount === 1 ? 'secret' : 'secrets'} kept in it.
            </p>
          )}
          <Field id="manager-name" label="Name" error={errors.name}>
            {(control) => (
              <input
                {...control}
                className="input"
                value={name}
                onChange={(e) => {
                  setName(e.target.value);
                  setServerErrors(({ name: _stale, form: _form, ...rest }) => rest);
                }}
                autoComplete="off"
                spellCheck={false}
                maxLength={64}
                data-autofocus
              />
            )}
          </Field>
          {canBeReadOnly && (
            <CheckboxField
              id="manager-read-only"
              label="Read-only"
              checked={readOnly}
              onChange={setReadOnly}
              hint="Only references to existing secrets are read; nothing is written. A read-only manager cannot be the default."
            />
          )}
          {editing && (
            <CheckboxField
              id="manager-replace-config"
              label="Replace the configuration"
              checked={replaceConfig}
              onChange={setReplaceConfig}
              hint="Credentials are stored sealed and never shown again: replacing the configuration means entering them anew."
            />
          )}
          {replaceConfig && (
            <fieldset className="mgr-fieldset mgr-config" aria-label={`${kindLabel(kind)} configuration`}>
              {basic.map(renderField)}
              {advanced.length > 0 && (
                <>
                  <button
                    type="button"
                    className="btn btn--ghost btn--small mgr-advanced-toggle"
                    aria-expanded={advancedOpen}
                    aria-controls="manager-advanced"
                    onClick={() => setShowAdvanced((open) => !open)}
                  >
                    {advancedOpen ? 'Hide advanced settings' : 'Advanced settings'}
                  </button>
                  <div id="manager-advanced" className="mgr-advanced" hidden={!advancedOpen}>
                    {advanced.map(renderField)}
                  </div>
                </>
              )}
            </fieldset>
          )}
        </div>
        <FormError message={errors.form} />
        {testFailed && (
          <div className="mgr-untested">
            <p className="field__hint" id="manager-untested-hint">
              Nothing was stored. Fix the configuration and add it again, or store it as it is and test it later.
            </p>
            <button type="button" className="btn" onClick={() => void submit(null, true)} disabled={busy} aria-describedby="manager-untested-hint">
              Save without testing
            </button>
          </div>
        )}
        <p className="field__hint">The configuration, credentials included, is sealed before it leaves this window and stored encrypted.</p>
        <DialogActions onCancel={onClose} label={editing ? 'Save manager' : 'Add manager'} busyLabel="Saving…" busy={busy} />
      </form>
    </Dialog>
  );
}
