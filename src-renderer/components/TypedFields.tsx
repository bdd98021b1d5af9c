import { useRef, useState, type ChangeEvent, type ReactNode } from 'react';
import type { ManagerSummary, SecretType } from '../../src-shared/contract.js';
import { readFileBytes, readFileText } from '../state/files.js';
import {
  bytesToBase64,
  checkFileSize,
  formatBytes,
  visibleControls,
  type TypedControl,
  winrmPortAfterSslChange,
  type TypedErrors,
  type TypedField,
  type TypedValues,
} from '../lib/typed-secret.js';
import { describeError } from '../lib/errors.js';
import type { SecretFieldSpec } from '../../src-shared/secret-field-basics.js';
import { Field, FieldSet } from './Field.js';
import { VisibilityToggle } from './VisibilityToggle.js';
import { MissingToolsNotice } from './MissingToolsNotice.js';
import { KeyFingerprint } from '../features/key-fingerprint/index.js';

const MAX_KEY_FILE_BYTES = 64 * 1024;

interface TypedFieldsProps {
  type: SecretType;
  values: TypedValues;
  errors: TypedErrors;
  mode: 'create' | 'edit';
  vaultManagers: ManagerSummary[];
  onChange: (patch: Partial<TypedValues>) => void;
  /** A problem found while choosing a file, before anything is sent; null clears it. */
  onFieldError: (field: TypedField, message: string | null) => void;
}

const id = (field: TypedField) => `secret-${field}`;

/** The fields of one structured secret type, with their errors under them. */
export function TypedFields({ type, values, errors, mode, vaultManagers, onChange, onFieldError }: TypedFieldsProps) {
  const [keyVisible, setKeyVisible] = useState(false);
  const [reading, setReading] = useState(false);
  const keyFileRef = useRef<HTMLInputElement>(null);
  const keep = mode === 'edit' ? ' Leave empty to keep the current one.' : '';

  // Only the port remembers that it was typed: "Use SSL" moves it otherwise.
  const onNumberChange = (field: TypedField, value: string) => onChange(field === 'port' ? { port: value, portEdited: true } : { [field]: value });
  const onSslChange = (useSsl: boolean) => onChange({ useSsl, ...winrmPortAfterSslChange(values, useSsl) });

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    const tooLarge = checkFileSize(file.size);
    if (tooLarge) {
      // Refused before reading: a huge file never enters the window.
      event.target.value = '';
      onChange({ file: null });
      onFieldError('file', tooLarge);
      return;
    }
    setReading(true);
    try {
      const bytes = await readFileBytes(file);
      onChange({ file: { fileName: file.name, mediaType: file.type || 'application/octet-stream', size: file.size, contentBase64: bytesToBase64(bytes) } });
      onFieldError('file', null);
    } catch (err) {
      onFieldError('file', describeError(err));
    } finally {
      setReading(false);
    }
  };

  const onTextFile = async (field: TypedField, event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      onChange({ [field]: await readFileText(file, MAX_KEY_FILE_BYTES) });
      onFieldError(field, null);
    } catch (err) {
      onFieldError(field, describeError(err));
    }
  };

  const textInput = (field: TypedField, spec: SecretFieldSpec) => (
    <Field key={field} id={id(field)} label={spec.label} optional={spec.optional} hint={spec.hint} error={errors[field]}>
      {(control) => (
        <input
          {...control}
          className="input input--mono"
          value={values[field] as string}
          onChange={(e) => onChange({ [field]: e.target.value })}
          placeholder={spec.placeholder}
          autoComplete="off"
          spellCheck={false}
        />
      )}
    </Field>
  );

  const checkbox = (field: TypedField, spec: SecretFieldSpec) => {
    const onToggle = field === 'useSsl' ? onSslChange : (checked: boolean) => onChange({ [field]: checked });
    return (
      <label className="choice" key={field}>
        <input type="checkbox" id={id(field)} checked={values[field] as boolean} onChange={(e) => onToggle(e.target.checked)} />
        {spec.label}
      </label>
    );
  };

  const control = (field: TypedField, spec: SecretFieldSpec): ReactNode => {
    switch (spec.input) {
      case 'text':
        return textInput(field, spec);
      case 'number':
        return (
          <Field key={field} id={id(field)} label={spec.label} hint={spec.hint} error={errors[field]}>
            {(control) => (
              <input {...control} className="input input--short" inputMode="numeric" value={values[field] as string} onChange={(e) => onNumberChange(field, e.target.value)} autoComplete="off" />
            )}
          </Field>
        );
      case 'password':
        return (
          <MaskedInput
            key={field}
            id={id(field)}
            label={spec.label}
            value={values[field] as string}
            onChange={(value) => onChange({ [field]: value })}
            error={errors[field]}
            hint={[spec.hint, keep].filter(Boolean).join(' ') || undefined}
          />
        );
      case 'multiline':
        return (
          <Field
            key={field}
            id={id(field)}
            label={spec.label}
            labelActions={
              <>
                <button type="button" className="btn btn--ghost btn--small" onClick={() => keyFileRef.current?.click()}>
                  Load from file
                </button>
                <VisibilityToggle visible={keyVisible} onToggle={() => setKeyVisible((v) => !v)} controls={id(field)} noun="key" />
                <input ref={keyFileRef} type="file" hidden aria-label={`${spec.label} file`} onChange={(e) => void onTextFile(field, e)} />
              </>
            }
            hint={[spec.hint, keep].filter(Boolean).join(' ')}
            error={errors[field]}
          >
            {(control) => (
              <>
                <textarea
                  {...control}
                  className={`input input--mono textarea${keyVisible ? '' : ' is-masked'}`}
                  value={values[field] as string}
                  onChange={(e) => onChange({ [field]: e.target.value })}
                  rows={5}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={spec.placeholder}
                />
                {field === 'privateKey' && <KeyFingerprint id={`${id(field)}-fingerprint`} privateKey={values.privateKey} passphrase={values.keyPassphrase} />}
              </>
            )}
          </Field>
        );
      case 'file':
        return (
          <Field
            key={field}
            id={id(field)}
            label={mode === 'edit' ? `New ${spec.label.toLowerCase()}` : spec.label}
            error={errors[field]}
            hint={
              reading
                ? 'Reading…'
                : values.file
                  ? `Chosen: ${values.file.fileName} (${formatBytes(values.file.size)})`
                  : `${spec.hint ?? ''}${mode === 'edit' ? ' Leave empty to keep the current file.' : ''}`
            }
          >
            {(control) => <input {...control} type="file" className="input input--file" onChange={(e) => void onFile(e)} />}
          </Field>
        );
      case 'choice':
        return (
          <FieldSet key={field} id={`${id(field)}-group`} legend={spec.label} error={errors[field]}>
            <div className="choice-row">
              {spec.options?.map((option) => (
                <label key={option.value} className="choice">
                  <input
                    type="radio"
                    name={id(field)}
                    value={option.value}
                    checked={values[field] === option.value}
                    onChange={() => onChange({ [field]: option.value } as Partial<TypedValues>)}
                  />
                  {option.label}
                </label>
              ))}
            </div>
          </FieldSet>
        );
      case 'manager':
        return vaultManagers.length === 0 ? (
          <div className="field" key={field}>
            <span className="field__label">{spec.label}</span>
            <p className="notice" role="note">
              Signing needs a Vault secret manager; add one under Managers. The other fields are saved now.
            </p>
            {errors[field] && <p className="field__error">{errors[field]}</p>}
          </div>
        ) : (
          <Field key={field} id={id(field)} label={spec.label} error={errors[field]}>
            {(control) => (
              <select {...control} className="input" value={values[field] as string} onChange={(e) => onChange({ [field]: e.target.value })}>
                <option value="">None yet</option>
                {vaultManagers.map((manager) => (
                  <option key={manager.id} value={manager.id}>
                    {manager.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        );
      case 'checkbox':
        // A checkbox with a hint warns about its choice; plain ones are grouped below.
        return (
          <div className="field" key={field}>
            {checkbox(field, spec)}
            <p className="field__hint notice">{spec.hint}</p>
          </div>
        );
    }
  };

  // Checkboxes without a hint stand together in one column, as one group of switches.
  const isSwitch = (candidate: TypedControl) => candidate.spec.input === 'checkbox' && !candidate.spec.hint;
  const groups: TypedControl[][] = [];
  for (const visible of visibleControls(type, values)) {
    const last = groups.at(-1);
    if (last && isSwitch(visible) && isSwitch(last[0]!)) last.push(visible);
    else groups.push([visible]);
  }
  return (
    <>
      {groups.map((group) =>
        !isSwitch(group[0]!) ? (
          control(group[0]!.field, group[0]!.spec)
        ) : (
          <div className="choice-column" key={`switches-${group[0]!.field}`}>
            {group.map(({ field, spec }) => checkbox(field, spec))}
          </div>
        ),
      )}
      <MissingToolsNotice type={type} auth={values.auth} />
    </>
  );
}

/** A masked single-line secret with its own Show toggle. */
export function MaskedInput(props: { id: string; label: string; value: string; onChange: (value: string) => void; error?: string | undefined; hint?: string | undefined }) {
  const { id: inputId, label, value, onChange, error, hint } = props;
  const [visible, setVisible] = useState(false);
  return (
    <Field id={inputId} label={label} hint={hint} error={error}>
      {(control) => (
        <div className="field__row">
          <input {...control} className="input" type={visible ? 'text' : 'password'} value={value} onChange={(e) => onChange(e.target.value)} autoComplete="off" spellCheck={false} />
          <VisibilityToggle visible={visible} onToggle={() => setVisible((v) => !v)} controls={inputId} noun={label.toLowerCase()} nounIn="label" />
        </div>
      )}
    </Field>
  );
}
