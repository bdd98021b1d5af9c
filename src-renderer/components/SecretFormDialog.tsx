import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SecretSummary } from '../../src-main/ipc/contract.js';
import {
  changesFrom,
  errorsFromServer,
  hasErrors,
  validateSecretForm,
  type SecretField,
  type SecretFormErrors,
  type SecretFormValues,
} from '../lib/secret-form.js';
import { valueEditable } from '../lib/secret-types.js';
import { createSecret, updateSecret } from '../state/secrets.js';
import { Dialog } from './Dialog.js';

interface SecretFormDialogProps {
  /** The secret being edited; absent when creating one. */
  secret?: SecretSummary;
  onClose: () => void;
  onSaved: (secret: SecretSummary) => void;
}

export function SecretFormDialog({ secret, onClose, onSaved }: SecretFormDialogProps) {
  const mode = secret ? 'edit' : 'create';
  const withValue = !secret || valueEditable(secret.type);
  const [values, setValues] = useState<SecretFormValues>({
    name: secret?.name ?? '',
    description: secret?.description ?? '',
    value: '',
  });
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<SecretFormErrors>({});
  const [valueVisible, setValueVisible] = useState(false);
  const [busy, setBusy] = useState(false);

  const clientErrors = submitted ? validateSecretForm(values, mode) : {};
  const errors: SecretFormErrors = { ...serverErrors, ...clientErrors };

  const update = (field: SecretField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    // main's verdict was about the old text.
    setServerErrors(({ [field]: _stale, form: _form, ...rest }) => rest);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setSubmitted(true);
    const found = validateSecretForm(values, mode);
    if (hasErrors(found)) {
      const first = (['name', 'description', 'value'] as const).find((f) => found[f]);
      if (first) document.getElementById(`secret-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setServerErrors({});
    try {
      if (secret) {
        const changes = changesFrom(secret, values);
        onSaved(changes ? await updateSecret(secret.id, changes) : secret);
      } else {
        onSaved(await createSecret(values));
      }
      onClose();
    } catch (err) {
      setServerErrors(errorsFromServer(err));
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

  const fieldProps = (field: SecretField) => ({
    id: `secret-${field}`,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': [errors[field] ? `secret-${field}-error` : null, field === 'value' ? 'secret-value-hint' : null]
      .filter(Boolean)
      .join(' ') || undefined,
  });
  const fieldError = (field: SecretField) =>
    errors[field] && (
      <p className="field__error" id={`secret-${field}-error`}>
        {errors[field]}
      </p>
    );

  return (
    <Dialog title={secret ? `Edit ${secret.name}` : 'New secret'} onClose={onClose} size="medium">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="secret-name" className="field__label">
            Name
          </label>
          <input
            {...fieldProps('name')}
            className="input input--mono"
            value={values.name}
            onChange={(e) => update('name', e.target.value)}
            autoComplete="off"
            spellCheck={false}
            maxLength={128}
            data-autofocus
          />
          {fieldError('name')}
        </div>
        <div className="field">
          <label htmlFor="secret-description" className="field__label">
            Description <span className="field__optional">(optional)</span>
          </label>
          <input
            {...fieldProps('description')}
            className="input"
            value={values.description}
            onChange={(e) => update('description', e.target.value)}
            autoComplete="off"
          />
          {fieldError('description')}
        </div>
        {withValue ? (
          <div className="field">
            <div className="field__label-row">
              <label htmlFor="secret-value" className="field__label">
                {secret ? 'New value' : 'Value'}
              </label>
              <button
                type="button"
                className="btn btn--ghost btn--small"
                onClick={() => setValueVisible((v) => !v)}
                aria-pressed={valueVisible}
                aria-controls="secret-value"
              >
                {valueVisible ? 'Hide value' : 'Show value'}
              </button>
            </div>
            <textarea
              {...fieldProps('value')}
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
            <p className="field__hint" id="secret-value-hint">
              {secret ? 'Leave empty to keep the current value. ' : ''}Sealed before it leaves this window.
            </p>
            {fieldError('value')}
          </div>
        ) : (
          <p className="field__hint">The value of this type of secret cannot be changed here.</p>
        )}
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : secret ? 'Save changes' : 'Create secret'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
