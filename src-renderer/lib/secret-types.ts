/** How the detail view names secret types and shows their non-secret fields. */
import { secretTypeDescriptions, secretTypes, type SecretType } from '../../src-shared/contract.js';
import { applicableFields, secretFieldSpecs, type SecretFieldSpec } from '../../src-shared/secret-field-basics.js';

/** Each type's name, from its one description. */
export const secretTypeLabels = Object.fromEntries(secretTypes.map((type) => [type, secretTypeDescriptions[type].label])) as Record<SecretType, string>;

/** Only text values are typed in this window; other types carry structured payloads. */
export function valueEditable(type: SecretType): boolean {
  return type === 'text';
}

/** "keyPath" → "Key path". */
export function fieldLabel(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function displayValue(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Metadata and facts as label/value rows, skipping empty ones. */
export function detailRows(...records: Record<string, unknown>[]): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  for (const record of records) {
    for (const [key, raw] of Object.entries(record)) {
      const value = displayValue(raw);
      if (value !== null) rows.push({ label: fieldLabel(key), value });
    }
  }
  return rows;
}

/** The short badge a list row shows for its type. */
export const secretTypeBadges = Object.fromEntries(secretTypes.map((type) => [type, secretTypeDescriptions[type].badge])) as Record<SecretType, string>;

const winrmAuthLabels: Record<string, string> = { ntlm: 'NTLM', kerberos: 'Kerberos', basic: 'Basic' };
const sshAuthLabels: Record<string, string> = { key: 'key', 'key-path': 'key path', password: 'password' };

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The one line under a secret's name in the list: user@port, file name and size, key type. */
export function secretSummaryLine(secret: { type: SecretType; description: string | null; metadata: Record<string, unknown>; facts: Record<string, unknown> }): string {
  const m = secret.metadata;
  const f = secret.facts;
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  const parts: string[] = [];
  switch (secret.type) {
    case 'text':
      return secret.description ?? 'Text';
    case 'file':
      parts.push(text(m.fileName), formatSize(Number(f.size ?? m.size ?? 0)));
      break;
    case 'ssh':
      parts.push(text(m.username), `port ${text(m.port) || '22'}`, text(f.keyType) || sshAuthLabels[text(m.auth)] || '');
      break;
    case 'ssh-kerberos':
      parts.push(`${text(m.principal)}@${text(m.realm)}`, `port ${text(m.port) || '22'}`);
      break;
    case 'ssh-vault-certificate':
      parts.push(text(m.username), `port ${text(m.port) || '22'}`, `${text(m.mount)}/${text(m.role)}`, text(f.keyType));
      break;
    case 'winrm': {
      const user = m.domain ? `${text(m.domain)}\\${text(m.username)}` : text(m.username);
      parts.push(user, `port ${text(m.port) || (m.useSsl ? '5986' : '5985')}`, winrmAuthLabels[text(m.auth)] ?? '', m.useSsl ? 'SSL' : '');
      break;
    }
  }
  return parts.filter(Boolean).join(' · ');
}

/**
 * The secret fields a stored secret has, given its metadata and facts: the
 * payload fields its type's specs apply to it; each is revealed on its own. A
 * key the delegate found without a passphrase has no passphrase field: there
 * is nothing to show, copy or audit.
 */
export function secretFieldsOf(type: SecretType, metadata: Record<string, unknown>, facts: Record<string, unknown> = {}): { key: string; label: string; multiline: boolean }[] {
  if (type === 'text' || type === 'file') return [];
  return applicableFields(type, metadata)
    .filter(({ key, spec }) => spec.part === 'payload' && !(key === 'keyPassphrase' && facts.keyPassphrase === 'none'))
    .map(({ key, spec }) => ({ key, label: spec.label, multiline: spec.input === 'multiline' }));
}

/** One field of a revealed structured payload; '' when it is absent. */
export function payloadField(value: string, key: string): string {
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const field = parsed[key];
    return typeof field === 'string' ? field : '';
  } catch {
    return '';
  }
}

/** Labels of the facts the delegate reports about a secret (not fields: nobody enters them). */
const factLabels: Record<string, string> = {
  keyType: 'Key type',
  fingerprint: 'Fingerprint',
  restoresVersion: 'Rollback of version',
  keyPassphrase: 'Key passphrase',
};
const keyPassphraseFactLabels: Record<string, string> = { none: 'None', set: 'Set (shown under Secret fields)' };

/** Metadata rows for the detail view, labelled by the type's field specs, a choice shown by its label. */
export function typedDetailRows(type: SecretType, metadata: Record<string, unknown>, facts: Record<string, unknown>): { label: string; value: string }[] {
  const specs = secretFieldSpecs[type] as Record<string, SecretFieldSpec | undefined>;
  const out: { label: string; value: string }[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of [...Object.entries(metadata), ...Object.entries(facts)]) {
    if (seen.has(key)) continue;
    seen.add(key);
    const value = displayValue(raw);
    if (value === null) continue;
    const spec = key in metadata ? specs[key] : undefined;
    if (key === 'size') out.push({ label: spec?.label ?? 'Size', value: formatSize(Number(raw)) });
    else if (spec) out.push({ label: spec.label, value: spec.options?.find((option) => option.value === value)?.label ?? value });
    else if (key === 'keyPassphrase') out.push({ label: factLabels[key]!, value: keyPassphraseFactLabels[value] ?? value });
    else out.push({ label: factLabels[key] ?? fieldLabel(key), value });
  }
  if (type === 'ssh-vault-certificate' && !metadata.vaultManagerId) out.push({ label: specs.vaultManagerId!.label, value: 'None yet (signing needs one)' });
  return out;
}
