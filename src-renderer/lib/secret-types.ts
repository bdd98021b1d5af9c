/** How the detail view names secret types and shows their non-secret fields. */
import type { SecretType } from '../../src-main/ipc/contract.js';

export const secretTypeLabels: Record<SecretType, string> = {
  text: 'Encrypted text',
  file: 'Encrypted file',
  ssh: 'SSH credential',
  'ssh-kerberos': 'SSH via Kerberos',
  'ssh-vault-certificate': 'Vault-signed SSH certificate',
  winrm: 'WinRM credential',
};

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
