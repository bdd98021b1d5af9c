import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { kindCan, secretTypeDescriptions, secretTypes, type SecretSummary, type SecretType } from '../../src-shared/contract.js';
import {
  changesFrom,
  errorsFromServer,
  hasErrors,
  validateSecretForm,
  type SecretField,
  type SecretFormErrors,
  type SecretFormValues,
} from '../lib/secret-form.js';
import { secretFieldSpecs } from '../../src-shared/secret-field-basics.js';
import { secretTypeBadges, secretTypeLabels } from '../lib/secret-types.js';
import {
  buildTyped,
  initialTypedValues,
  sameMetadata,
  secretFieldsEntered,
  typedErrorsFromServer,
  typedValuesFrom,
  visibleFields,
  type TypedErrors,
  type TypedField,
  type TypedValues,
} from '../lib/typed-secret.js';
import { IpcCallError } from '../lib/errors.js';
import { createSecret, updateSecret } from '../state/secrets.js';
import { useCatalog } from '../state/stores.js';
import { Dialog } from './Dialog.js';
import { DialogActions } from './DialogActions.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { TypedFields } from './TypedFields.js';
import { VisibilityToggle } from './VisibilityToggle.js';
import './secret-form-dialog.css';
import './type-badge.css';

interface SecretFormDialogProps {
  /** The secret being edited; absent when creating one. */
  secret?: SecretSummary;
  /** The type a new secret starts as (the command palette offers one per type). */
  initialType?: SecretType;
  onClose: () => void;
  onSaved: (secret: SecretSummary) => void;
  /** Offered when the name is taken in a secret store: reference the existing remote secret instead. */
  onReference?: (prefill: { name: string; managerId: string }) => void;
}

/** What the store said about the taken name, without the CLI's flags that follow it (the dialog offers the same choices). */
function takenSummary(message: string): string {
  const cut = message.indexOf(' Strongroom will not overwrite it');
  return cut > 0 ? message.slice(0, cut) : message;
}

type AllErrors = SecretFormErrors & TypedErrors;

export function SecretFormDialog({ secret, initialType = 'text', onClose, onSaved, onReference }: SecretFormDialogProps) {
  const mode = secret ? 'edit' : 'create';
  const [type, setType] = useState<SecretType>(secret?.type ?? initialType);
  const [values, setValues] = useState<SecretFormValues>({
    name: secret?.name ?? '',
    description: secret?.description ?? '',
    value: '',
  });
  const [typed, setTyped] = useState<TypedValues>(() => (secret ? typedValuesFrom(secret) : initialTypedValues(initialType)));
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<AllErrors>({});
  const [pickErrors, setPickErrors] = useState<TypedErrors>({});
  const [valueVisible, setValueVisible] = useState(false);
  const [busy, setBusy] = useState(false);
  /** The store's REMOTE_EXISTS message when the name is taken there by a secret Strongroom did not write. */
  const [taken, setTaken] = useState<string | null>(null);
  const [adoptConfirmed, setAdoptConfirmed] = useState(false);
  const managers = useCatalog((s) => s.managers);
  const vaultManagers = managers.filter((manager) => kindCan(manager.kind, (spec) => spec.signsSshCertificates));
  // Read-only managers cannot hold new inline secrets.
  const writableManagers = managers.filter((manager) => !manager.readOnly);
  const [managerId, setManagerId] = useState<string | undefined>(undefined);
  const chosenManager = managerId ?? writableManagers.find((manager) => manager.isDefault)?.id;

  const isText = type === 'text';
  /** In an edit, structured fields are sent only when something in them changed. */
  const typedChange = (): { changed: boolean; built: ReturnType<typeof buildTyped> } => {
    const built = buildTyped(type, typed);
    if (!secret) return { changed: true, built };
    const fieldsChanged = type === 'file' ? typed.file !== null : !sameMetadata(built.metadata, secret.metadata);
    return { changed: fieldsChanged || secretFieldsEntered(typed), built };
  };

  const clientErrorsNow = (): AllErrors => {
    const base = validateSecretForm({ ...values, value: isText ? values.value : mode === 'edit' ? '' : 'x' }, mode);
    if (isText) return base;
    const { changed, built } = typedChange();
    return changed ? { ...base, ...built.errors } : base;
  };
  const clientErrors = submitted ? clientErrorsNow() : {};
  const errors: AllErrors = { ...serverErrors, ...pickErrors, ...clientErrors };

  /** Another name or manager is another remote secret: the takeover confirmed for this one does not carry over. */
  const forgetTaken = () => {
    setTaken(null);
    setAdoptConfirmed(false);
  };

  const update = (field: SecretField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (field === 'name') forgetTaken();
    // main's verdict was about the old text.
    setServerErrors(({ [field]: _stale, form: _form, ...rest }) => rest);
  };

  const updateTyped = (patch: Partial<TypedValues>) => {
    setTyped((v) => ({ ...v, ...patch }));
    setServerErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(patch)) delete next[key as TypedField];
      delete next.form;
      return next;
    });
  };

  const chooseType = (next: SecretType) => {
    setType(next);
    setTyped(initialTypedValues(next));
    setServerErrors({});
    setPickErrors({});
    setSubmitted(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setSubmitted(true);
    const found = clientErrorsNow();
    if (hasErrors(found) || Object.values(pickErrors).some(Boolean)) {
      const order: string[] = ['name', 'description', ...(isText ? ['value'] : visibleFields(type, typed))];
      const first = order.find((f) => found[f as keyof AllErrors] || pickErrors[f as TypedField]);
      if (first) (document.getElementById(`secret-${first}`) ?? document.querySelector<HTMLInputElement>(`[name="secret-${first}"]`))?.focus();
      return;
    }
    setBusy(true);
    setServerErrors({});
    const adopt = taken !== null && adoptConfirmed;
    try {
      if (secret) {
        const changes = changesFrom(secret, { ...values, value: isText ? values.value : '' });
        const { changed, built } = isText ? { changed: false, built: null } : typedChange();
        if (changed && built) {
          onSaved(await updateSecret(secret.id, { name: changes?.name, description: changes?.description, value: { metadata: built.metadata, payload: built.payload } }));
        } else {
          onSaved(changes ? await updateSecret(secret.id, changes) : secret);
        }
      } else if (isText) {
        onSaved(await createSecret(values, chosenManager, adopt));
      } else {
        const built = buildTyped(type, typed);
        onSaved(
          await createSecret({ name: values.name, description: values.description, type, metadata: built.metadata, payload: built.payload }, chosenManager, adopt),
        );
      }
      onClose();
    } catch (err) {
      if (!secret && err instanceof IpcCallError && err.code === 'REMOTE_EXISTS') {
        setTaken(err.message);
        setAdoptConfirmed(false);
      } else {
        setServerErrors(isText ? errorsFromServer(err) : typedErrorsFromServer(err));
      }
      setBusy(false);
    }
  };

  // Enter in the value adds a line; Ctrl+Enter submits from there too.
  const onValueKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  };

  const valueLabel = secretFieldSpecs.text.value.label;

  const title = secret ? `Edit ${secret.name}` : 'New secret';
  return (
    <Dialog title={title} onClose={onClose} size="medium">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {!secret && (
          <fieldset className="fieldset">
            <legend className="field__label">Type</legend>
            <div className="type-picker">
              {secretTypes.map((candidate) => (
                <label key={candidate} className={`type-card${candidate === type ? ' is-checked' : ''}`}>
                  <input type="radio" name="secret-type" value={candidate} checked={candidate === type} onChange={() => chooseType(candidate)} />
                  <span className={`type-badge type-badge--${candidate}`} aria-hidden="true">
                    {secretTypeBadges[candidate]}
                  </span>
                  <span className="type-card__text">
                    <span className="type-card__label">{secretTypeLabels[candidate]}</span>
                    <span className="type-card__hint">{secretTypeDescriptions[candidate].hint}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <Field id="secret-name" label="Name" error={errors.name}>
          {(control) => (
            <input
              {...control}
              className="input input--mono"
              value={values.name}
              onChange={(e) => update('name', e.target.value)}
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
              data-autofocus
            />
          )}
        </Field>
        {mode === 'create' && writableManagers.length > 1 && (
          <Field id="secret-manager" label="Secret manager">
            {(control) => (
              <select
                {...control}
                className="input"
                value={chosenManager ?? ''}
                onChange={(e) => {
                  setManagerId(e.target.value);
                  forgetTaken();
                }}
              >
                {writableManagers.map((manager) => (
                  <option key={manager.id} value={manager.id}>
                    {manager.name}
                    {manager.isDefault ? ' (default)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field id="secret-description" label="Description" optional error={errors.description}>
          {(control) => <input {...control} className="input" value={values.description} onChange={(e) => update('description', e.target.value)} autoComplete="off" />}
        </Field>
        {isText ? (
          <Field
            id="secret-value"
            label={secret ? `New ${valueLabel.toLowerCase()}` : valueLabel}
            labelActions={<VisibilityToggle visible={valueVisible} onToggle={() => setValueVisible((v) => !v)} controls="secret-value" noun="value" />}
            hint={`${secret ? 'Leave empty to keep the current value. ' : ''}Sealed before it leaves this window.`}
            error={errors.value}
          >
            {(control) => (
              <textarea
                {...control}
                className={`input input--mono textarea${valueVisible ? '' : ' is-masked'}`}
                value={values.value}
                onChange={(e) => update('value', e.target.value)}
                onKeyDown={onValueKeyDown}
                rows={4}
                autoComplete="off"
                autoCorrect="off"
                autoCapitalize="off"
                spellCheck={false}
              />
            )}
          </Field>
        ) : (
          <>
            {secret && type !== 'file' && (
              <p className="field__hint">
                To change the fields below, enter the secret fields again too: they are checked together and saved as a new version.
              </p>
            )}
            <TypedFields
              type={type}
              values={typed}
              errors={errors}
              mode={mode}
              vaultManagers={vaultManagers}
              onChange={updateTyped}
              onFieldError={(field, message) =>
                setPickErrors(({ [field]: _old, ...rest }) => (message ? { ...rest, [field]: message } : rest))
              }
            />
          </>
        )}
        {taken !== null && (
          <div className="remote-taken" role="group" aria-labelledby="secret-taken">
            <p className="notice" id="secret-taken" role="alert">
              {takenSummary(taken)}
            </p>
            <p className="field__hint">
              Strongroom will not overwrite it unless you choose to. Use it as it is by adding it as a reference, or adopt it: this value is written
              as a new version on top of it. Deleting the secret later removes only the versions Strongroom wrote.
            </p>
            <label className="choice">
              <input type="checkbox" checked={adoptConfirmed} onChange={(e) => setAdoptConfirmed(e.target.checked)} />
              Adopt the existing remote secret: write a new version on top of it
            </label>
            {onReference && chosenManager && (
              <button type="button" className="btn btn--ghost" onClick={() => onReference({ name: values.name.trim(), managerId: chosenManager })}>
                Add it as a reference instead
              </button>
            )}
          </div>
        )}
        <FormError message={errors.form} />
        <DialogActions
          onCancel={onClose}
          label={secret ? 'Save changes' : taken !== null && adoptConfirmed ? 'Adopt and save' : 'Create secret'}
          busyLabel="Saving…"
          busy={busy}
        />
      </form>
    </Dialog>
  );
}
