/**
 * Every secret type by name, how it is shown, and its size limits: plain data
 * without zod, so the CLI can name the types and check sizes without building
 * the schemas in secret-types.ts, which re-exports all of this.
 */
export const secretTypes = ['text', 'file', 'ssh', 'ssh-kerberos', 'ssh-vault-certificate', 'winrm'] as const;
export type SecretType = (typeof secretTypes)[number];

/** How each type is named and told apart wherever one is offered: the type picker, the list, the command palette. */
export interface SecretTypeDescription {
  label: string;
  /** The short tag a list row shows. */
  badge: string;
  /** One line on what the type holds. */
  hint: string;
}

export const secretTypeDescriptions = {
  text: { label: 'Encrypted text', badge: 'TXT', hint: 'A password, token or any text' },
  file: { label: 'Encrypted file', badge: 'FILE', hint: 'A certificate, keystore or any file up to 10 MiB' },
  ssh: { label: 'SSH credential', badge: 'SSH', hint: 'User name with a key, key path or password' },
  'ssh-kerberos': { label: 'SSH via Kerberos', badge: 'KRB', hint: 'A principal and realm; ticket from keytab, password or cache' },
  'ssh-vault-certificate': { label: 'Vault-signed SSH certificate', badge: 'CERT', hint: 'A private key signed by Vault at connect time' },
  winrm: { label: 'WinRM credential', badge: 'WIN', hint: 'Windows remote management: NTLM, Kerberos or Basic' },
} as const satisfies Record<SecretType, SecretTypeDescription>;

export const MAX_TEXT_VALUE_CHARS = 64 * 1024;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The WinRM port that follows from "use SSL" unless the user set one by hand. */
export function defaultWinrmPort(useSsl: boolean): number {
  return useSsl ? 5986 : 5985;
}
