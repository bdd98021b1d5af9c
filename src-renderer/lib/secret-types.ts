/** How the detail view names secret types and shows their non-secret fields. */
import { secretTypeDescriptions, secretTypes, type SecretType } from '../../src-shared/contract.js';

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
 * The secret fields a stored secret has, given its metadata and facts; each is
 * revealed on its own. A key the delegate found without a passphrase has no
 * passphrase field: there is nothing to show, copy or audit.
 */
export function secretFieldsOf(type: SecretType, metadata: Record<string, unknown>, facts: Record<string, unknown> = {}): { key: string; label: string; multiline: boolean }[] {
  const privateKey = { key: 'privateKey', label: 'Private key', multiline: true };
  const keyPassphrase = facts.keyPassphrase === 'none' ? [] : [{ key: 'keyPassphrase', label: 'Key passphrase', multiline: false }];
  const password = { key: 'password', label: 'Password', multiline: false };
  switch (type) {
    case 'ssh':
      if (metadata.auth === 'password') return [password];
      if (metadata.auth === 'key') return [privateKey, ...keyPassphrase];
      return keyPassphrase;
    case 'ssh-kerberos':
      return metadata.tgtSource === 'password' ? [password] : [];
    case 'ssh-vault-certificate':
      return [privateKey, ...keyPassphrase];
    case 'winrm':
      return metadata.auth === 'kerberos' && metadata.kerberosSource === 'keytab' ? [] : [password];
    default:
      return [];
  }
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

/** Metadata rows for the detail view, with friendlier labels and values than the raw keys. */
export function typedDetailRows(type: SecretType, metadata: Record<string, unknown>, facts: Record<string, unknown>): { label: string; value: string }[] {
  const labels: Record<string, string> = {
    username: 'User name',
    auth: 'Authentication',
    keyPath: 'Key path',
    tgtSource: 'Ticket from',
    keytabPath: 'Keytab path',
    kdc: 'KDC',
    vaultManagerId: 'Vault manager',
    mount: 'Engine mount',
    kerberosSource: 'Kerberos credentials',
    useSsl: 'Use SSL',
    skipCertCheck: 'Skip certificate check',
    useNoProfile: 'Use no profile',
    allowBasicOverHttp: 'Allow Basic over HTTP',
    fileName: 'File name',
    mediaType: 'Media type',
    keyType: 'Key type',
    fingerprint: 'Fingerprint',
    restoresVersion: 'Rollback of version',
    keyPassphrase: 'Key passphrase',
  };
  const valueLabels: Record<string, string> = {
    key: 'Key file',
    'key-path': 'Key path on this machine',
    none: 'None',
    set: 'Set (shown under Secret fields)',
    password: 'Password',
    keytab: 'Keytab',
    'ticket-cache': 'Existing ticket cache',
    ntlm: 'NTLM',
    kerberos: 'Kerberos',
    basic: 'Basic',
  };
  const out: { label: string; value: string }[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of [...Object.entries(metadata), ...Object.entries(facts)]) {
    if (seen.has(key)) continue;
    seen.add(key);
    const value = displayValue(raw);
    if (value === null) continue;
    if (key === 'size') out.push({ label: 'Size', value: formatSize(Number(raw)) });
    else out.push({ label: labels[key] ?? fieldLabel(key), value: valueLabels[value] && ['auth', 'tgtSource', 'kerberosSource', 'keyPassphrase'].includes(key) ? valueLabels[value] : value });
  }
  if (type === 'ssh-vault-certificate' && !metadata.vaultManagerId) out.push({ label: 'Vault manager', value: 'None yet (signing needs one)' });
  return out;
}
