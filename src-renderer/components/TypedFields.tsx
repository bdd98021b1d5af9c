import { useRef, useState, type ChangeEvent, type ReactNode } from 'react';
import type { ManagerSummary, SecretType } from '../../src-shared/contract.js';
import { readFileBytes, readFileText } from '../state/files.js';
import {
  bytesToBase64,
  checkFileSize,
  formatBytes,
  visibleFields,
  winrmPortAfterSslChange,
  type TypedErrors,
  type TypedField,
  type TypedValues,
} from '../lib/typed-secret.js';
import { describeError } from '../lib/errors.js';
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

  const text = (field: 'username' | 'keyPath' | 'principal' | 'realm' | 'kdc' | 'keytabPath' | 'ticketCache' | 'mount' | 'role' | 'domain', label: string, options: { hint?: string; optional?: boolean; placeholder?: string } = {}) => (
    <Field key={field} id={id(field)} label={label} optional={options.optional} hint={options.hint} error={errors[field]}>
      {(control) => (
        <input
          {...control}
          className="input input--mono"
          value={values[field]}
          onChange={(e) => onChange({ [field]: e.target.value })}
          placeholder={options.placeholder}
          autoComplete="off"
          spellCheck={false}
        />
      )}
    </Field>
  );

  const secret = (field: 'password' | 'keyPassphrase', label: string, hint?: string) => (
    <MaskedInput
      key={field}
      id={id(field)}
      label={label}
      value={values[field]}
      onChange={(value) => onChange({ [field]: value })}
      error={errors[field]}
      hint={hint}
    />
  );

  const radios = <F extends 'auth' | 'tgtSource' | 'kerberosSource'>(field: F, legend: string, options: [string, string][]) => (
    <FieldSet key={field} id={`${id(field)}-group`} legend={legend} error={errors[field]}>
      <div className="choice-row">
        {options.map(([value, label]) => (
          <label key={value} className="choice">
            <input
              type="radio"
              name={id(field)}
              value={value}
              checked={values[field] === value}
              onChange={() => onChange({ [field]: value } as Partial<TypedValues>)}
            />
            {label}
          </label>
        ))}
      </div>
    </FieldSet>
  );

  const checkbox = (field: 'useSsl' | 'skipCertCheck' | 'useNoProfile' | 'allowBasicOverHttp', label: string, onToggle: (checked: boolean) => void) => (
    <label className="choice" key={field}>
      <input type="checkbox" id={id(field)} checked={values[field]} onChange={(e) => onToggle(e.target.checked)} />
      {label}
    </label>
  );

  const onPortChange = (value: string) => onChange({ port: value, portEdited: true });
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

  const onKeyFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      onChange({ privateKey: await readFileText(file, MAX_KEY_FILE_BYTES) });
      onFieldError('privateKey', null);
    } catch (err) {
      onFieldError('privateKey', describeError(err));
    }
  };

  const fields: ReactNode[] = [];
  for (const field of visibleFields(type, values)) {
    switch (field) {
      case 'file':
        fields.push(
          <Field
            key="file"
            id={id('file')}
            label={mode === 'edit' ? 'New file' : 'File'}
            error={errors.file}
            hint={
              reading
                ? 'Reading…'
                : values.file
                  ? `Chosen: ${values.file.fileName} (${formatBytes(values.file.size)})`
                  : `Up to 10 MiB. Sealed before it leaves this window.${mode === 'edit' ? ' Leave empty to keep the current file.' : ''}`
            }
          >
            {(control) => <input {...control} type="file" className="input input--file" onChange={(e) => void onFile(e)} />}
          </Field>,
        );
        break;
      case 'username':
        fields.push(text('username', 'User name'));
        break;
      case 'auth':
        fields.push(
          type === 'winrm'
            ? radios('auth', 'Authentication', [['ntlm', 'NTLM'], ['kerberos', 'Kerberos'], ['basic', 'Basic']])
            : radios('auth', 'Authentication', [['key', 'Key file'], ['key-path', 'Key path on this machine'], ['password', 'Password']]),
        );
        break;
      case 'privateKey':
        fields.push(
          <Field
            key="privateKey"
            id={id('privateKey')}
            label="Private key"
            labelActions={
              <>
                <button type="button" className="btn btn--ghost btn--small" onClick={() => keyFileRef.current?.click()}>
                  Load from file
                </button>
                <VisibilityToggle visible={keyVisible} onToggle={() => setKeyVisible((v) => !v)} controls={id('privateKey')} noun="key" />
                <input ref={keyFileRef} type="file" hidden aria-label="Private key file" onChange={(e) => void onKeyFile(e)} />
              </>
            }
            hint={`PEM or OpenSSH format; rsa, ecdsa or ed25519. Checked when you save.${keep}`}
            error={errors.privateKey}
          >
            {(control) => (
              <>
                <textarea
                  {...control}
                  className={`input input--mono textarea${keyVisible ? '' : ' is-masked'}`}
                  value={values.privateKey}
                  onChange={(e) => onChange({ privateKey: e.target.value })}
                  rows={5}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                />
                <KeyFingerprint id={`${id('privateKey')}-fingerprint`} privateKey={values.privateKey} passphrase={values.keyPassphrase} />
              </>
            )}
          </Field>,
        );
        break;
      case 'keyPassphrase':
        fields.push(secret('keyPassphrase', 'Key passphrase', `Only if the key is encrypted.${keep}`));
        break;
      case 'keyPath':
        fields.push(text('keyPath', 'Key path', { hint: 'An absolute path on this machine, such as ~/.ssh/id_ed25519. The key stays where it is.', placeholder: '~/.ssh/id_ed25519' }));
        break;
      case 'password':
        fields.push(secret('password', 'Password', mode === 'edit' ? 'Leave empty to keep the current one.' : undefined));
        break;
      case 'principal':
        fields.push(text('principal', 'Principal', { hint: 'Without @REALM.' }));
        break;
      case 'realm':
        fields.push(text('realm', 'Realm', { placeholder: 'EXAMPLE.COM' }));
        break;
      case 'kdc':
        fields.push(text('kdc', 'KDC', { optional: true, hint: 'host:port; from krb5.conf when empty.' }));
        break;
      case 'tgtSource':
        fields.push(radios('tgtSource', 'Ticket from', [['keytab', 'Keytab'], ['password', 'Password'], ['ticket-cache', 'Existing ticket cache']]));
        break;
      case 'keytabPath':
        fields.push(text('keytabPath', 'Keytab path', { hint: 'An absolute path on this machine.' }));
        break;
      case 'ticketCache':
        fields.push(text('ticketCache', 'Ticket cache', { optional: true, hint: 'The default cache when empty.' }));
        break;
      case 'vaultManagerId':
        fields.push(
          vaultManagers.length === 0 ? (
            <div className="field" key="vaultManagerId">
              <span className="field__label">Vault manager</span>
              <p className="notice" role="note">
                Signing needs a Vault secret manager; add one under Managers. The other fields are saved now.
              </p>
              {errors.vaultManagerId && <p className="field__error">{errors.vaultManagerId}</p>}
            </div>
          ) : (
            <Field key="vaultManagerId" id={id('vaultManagerId')} label="Vault manager" error={errors.vaultManagerId}>
              {(control) => (
                <select {...control} className="input" value={values.vaultManagerId} onChange={(e) => onChange({ vaultManagerId: e.target.value })}>
                  <option value="">None yet</option>
                  {vaultManagers.map((manager) => (
                    <option key={manager.id} value={manager.id}>
                      {manager.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ),
        );
        break;
      case 'mount':
        fields.push(text('mount', 'Engine mount', { hint: 'The SSH secrets engine’s mount path.' }));
        break;
      case 'role':
        fields.push(text('role', 'Role'));
        break;
      case 'domain':
        fields.push(text('domain', 'Domain', { optional: true, hint: 'Empty for a local user.' }));
        break;
      case 'kerberosSource':
        fields.push(radios('kerberosSource', 'Kerberos credentials', [['password', 'Password'], ['keytab', 'Keytab']]));
        break;
      case 'useSsl':
        fields.push(
          <div className="choice-column" key="flags">
            {checkbox('useSsl', 'Use SSL', onSslChange)}
            {checkbox('skipCertCheck', 'Skip certificate check', (checked) => onChange({ skipCertCheck: checked }))}
            {checkbox('useNoProfile', 'Use no profile', (checked) => onChange({ useNoProfile: checked }))}
          </div>,
        );
        break;
      case 'skipCertCheck':
      case 'useNoProfile':
        break;
      case 'allowBasicOverHttp':
        fields.push(
          <div className="field" key="allowBasicOverHttp">
            {checkbox('allowBasicOverHttp', 'Allow Basic over HTTP', (checked) => onChange({ allowBasicOverHttp: checked }))}
            <p className="field__hint notice">Without SSL, Basic sends the password unencrypted. Use SSL unless this is a test machine.</p>
          </div>,
        );
        break;
      case 'port':
        fields.push(
          <Field
            key="port"
            id={id('port')}
            label="Port"
            hint={type === 'winrm' ? '5985 without SSL, 5986 with it; follows “Use SSL” unless you type a port.' : undefined}
            error={errors.port}
          >
            {(control) => (
              <input {...control} className="input input--short" inputMode="numeric" value={values.port} onChange={(e) => onPortChange(e.target.value)} autoComplete="off" />
            )}
          </Field>,
        );
        break;
    }
  }
  return (
    <>
      {fields}
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
