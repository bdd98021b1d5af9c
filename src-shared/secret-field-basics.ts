/**
 * Every field of every secret type, described once as data: its label, hint,
 * how it is entered, its starting value, whether it is secret, when it
 * applies and when it is then required, and how `strongroom secret create`
 * takes it. The secret form (its controls and starting values), the detail
 * view, the mapping of issues onto form fields, the rules across fields, and
 * the CLI's options, help and reading of its flags all read this table.
 *
 * Plain data without zod, so the CLI can declare its options and print help
 * without building the schemas; secret-fields.ts joins each entry to its zod
 * schema. The record is keyed by the schemas' own keys (a type import, erased
 * at build), so a schema key without an entry, or an entry without a schema
 * key, does not compile.
 */
import { defaultWinrmPort, type SecretType } from './secret-type-basics.js';
import type { secretMetadataSchemas, secretPayloadSchemas } from './secret-types.js';

type ShapeKeys<S> = S extends { shape: infer Shape } ? keyof Shape & string : never;

/** A text secret's payload is its value itself, not an object: its one field is `value`. */
export type SecretFieldKey<T extends SecretType> =
  | ShapeKeys<(typeof secretMetadataSchemas)[T]>
  | (T extends 'text' ? 'value' : ShapeKeys<(typeof secretPayloadSchemas)[T]>);

/** How the form takes a field: `choice` is one of `options` (radios), `manager` a secret manager picked by name. */
export type SecretFieldInput = 'text' | 'multiline' | 'number' | 'password' | 'file' | 'choice' | 'checkbox' | 'manager';

/** A flag of `strongroom secret create`. A boolean flag is one whose field is a checkbox. */
export interface SecretFieldFlag {
  flag: string;
  /** The placeholder the help shows; a type's form of the command lists a choice's values instead. */
  value?: string;
  help: string;
  /** The type's form of the command cannot do without it. */
  required?: boolean;
  /** Without the flag, the value is read from stdin (a payload field whose flag names a file to read it from). */
  stdinOtherwise?: boolean;
}

/** Where the CLI takes a field from when it has no flag of its own. */
export type SecretFieldCliSource =
  /** read from stdin (a secret never comes from an argument) */
  | 'stdin'
  /**
   * follows from other flags: a field that is part of another field's control
   * (a file's name and size) from that field's flag; a choice from which of
   * its options the given flags fit (where a ticket comes from: --keytab)
   */
  | 'derived'
  /** set in the app only */
  | 'app';

export interface SecretFieldSpec {
  /** `metadata`: stored by main and shown as is. `payload`: secret, sealed to the delegate, masked when shown. */
  part: 'metadata' | 'payload';
  label: string;
  hint?: string;
  placeholder?: string;
  input: SecretFieldInput;
  /** The label says "(optional)". */
  optional?: boolean;
  /** The values of a `choice`, in the order the form offers them. */
  options?: readonly { value: string; label: string }[];
  /** The form control that edits it when several schema keys share one (a file's name, type, size and content); its own key otherwise. */
  control?: string;
  /** Applies (shown in the form, stored, revealed) only when this holds for the form's values or the stored metadata. */
  appliesWhen?: (values: Readonly<Record<string, unknown>>) => boolean;
  /**
   * Required wherever it applies, with this message when it is empty: the
   * rules across fields (a password is required for password authentication)
   * that both the form and the delegate check, and the CLI's usage errors.
   */
  requiredWhenApplies?: string;
  /**
   * The value the form starts with, and the CLI's when the flag is not given.
   * Without it: empty text, an unticked checkbox, a choice's first option, no
   * file. A function reads the other values (a port that follows "Use SSL").
   */
  initial?: string | boolean | ((values: Readonly<Record<string, unknown>>) => string | boolean);
  cli: SecretFieldFlag | SecretFieldCliSource;
}

/** Every type's fields, in the order its form shows them. */
export type SecretFieldSpecs = { readonly [T in SecretType]: { readonly [K in SecretFieldKey<T>]: SecretFieldSpec } };

const sshAuthIs = (...auth: string[]) => (values: Readonly<Record<string, unknown>>) => auth.includes(values.auth as string);
const kerberos = (values: Readonly<Record<string, unknown>>) => values.auth === 'kerberos';
const kerberosKeytab = (values: Readonly<Record<string, unknown>>) => kerberos(values) && values.kerberosSource === 'keytab';

const port = { part: 'metadata', label: 'Port', input: 'number', initial: '22', cli: { flag: 'port', value: 'P', help: 'the port to connect to' } } as const satisfies SecretFieldSpec;
const username = {
  part: 'metadata',
  label: 'User name',
  input: 'text',
  cli: { flag: 'username', value: 'U', help: 'the login name', required: true },
} as const satisfies SecretFieldSpec;
const realm = {
  part: 'metadata',
  label: 'Realm',
  placeholder: 'EXAMPLE.COM',
  input: 'text',
  cli: { flag: 'realm', value: 'R', help: 'the Kerberos realm' },
} as const satisfies SecretFieldSpec;
const kdc = { part: 'metadata', label: 'KDC', hint: 'host:port; from krb5.conf when empty.', input: 'text', optional: true, cli: { flag: 'kdc', value: 'HOST:PORT', help: 'the KDC (default: from DNS)' } } as const satisfies SecretFieldSpec;
const keytabPath = {
  part: 'metadata',
  label: 'Keytab path',
  hint: 'An absolute path on this machine.',
  input: 'text',
  cli: { flag: 'keytab', value: 'PATH', help: 'get tickets from this keytab instead of a password on stdin' },
} as const satisfies SecretFieldSpec;
const password = { part: 'payload', label: 'Password', input: 'password', cli: 'stdin' } as const satisfies SecretFieldSpec;
const privateKey = {
  part: 'payload',
  label: 'Private key',
  hint: 'PEM or OpenSSH format; rsa, ecdsa or ed25519. Checked when you save.',
  placeholder: '-----BEGIN OPENSSH PRIVATE KEY-----',
  input: 'multiline',
  cli: { flag: 'key-file', value: 'PATH', help: 'read the private key from PATH instead of stdin', stdinOtherwise: true },
} as const satisfies SecretFieldSpec;
const keyPassphrase = {
  part: 'payload',
  label: 'Key passphrase',
  hint: 'Only if the key is encrypted.',
  input: 'password',
  cli: { flag: 'key-passphrase-file', value: 'F', help: "read the key's passphrase from the first line of F" },
} as const satisfies SecretFieldSpec;
const passwordChoice = { value: 'password', label: 'Password' } as const;
const keytabChoice = { value: 'keytab', label: 'Keytab' } as const;

export const secretFieldSpecs = {
  text: {
    value: { part: 'payload', label: 'Value', input: 'multiline', cli: 'stdin' },
  },
  file: {
    contentBase64: { part: 'payload', label: 'File', hint: 'Up to 10 MiB. Sealed before it leaves this window.', input: 'file', control: 'file', cli: { flag: 'file', value: 'PATH', help: 'the file to store', required: true } },
    fileName: { part: 'metadata', label: 'File name', input: 'text', control: 'file', cli: 'derived' },
    mediaType: { part: 'metadata', label: 'Media type', input: 'text', control: 'file', cli: 'derived' },
    size: { part: 'metadata', label: 'Size', input: 'number', control: 'file', cli: 'derived' },
  },
  ssh: {
    username,
    auth: {
      part: 'metadata',
      label: 'Authentication',
      input: 'choice',
      options: [
        { value: 'key', label: 'Key file' },
        { value: 'key-path', label: 'Key path on this machine' },
        passwordChoice,
      ],
      cli: { flag: 'auth', value: 'METHOD', help: 'how to log in', required: true },
    },
    privateKey: { ...privateKey, appliesWhen: sshAuthIs('key'), requiredWhenApplies: 'A private key is required for key authentication' },
    keyPath: {
      part: 'metadata',
      label: 'Key path',
      hint: 'An absolute path on this machine, such as ~/.ssh/id_ed25519. The key stays where it is.',
      placeholder: '~/.ssh/id_ed25519',
      input: 'text',
      appliesWhen: sshAuthIs('key-path'),
      requiredWhenApplies: 'A key path is required',
      cli: { flag: 'key-path', value: 'PATH', help: 'the private key stays on disk at PATH on the machine that connects' },
    },
    keyPassphrase: { ...keyPassphrase, appliesWhen: sshAuthIs('key', 'key-path') },
    password: { ...password, appliesWhen: sshAuthIs('password'), requiredWhenApplies: 'A password is required for password authentication' },
    port,
  },
  'ssh-kerberos': {
    principal: { part: 'metadata', label: 'Principal', hint: 'Without @REALM.', input: 'text', cli: { flag: 'principal', value: 'P', help: 'the Kerberos principal', required: true } },
    realm: { ...realm, cli: { flag: 'realm', value: 'R', help: 'the Kerberos realm', required: true } },
    kdc,
    tgtSource: {
      part: 'metadata',
      label: 'Ticket from',
      input: 'choice',
      options: [keytabChoice, passwordChoice, { value: 'ticket-cache', label: 'Existing ticket cache' }],
      cli: 'derived',
    },
    keytabPath: { ...keytabPath, appliesWhen: (values) => values.tgtSource === 'keytab', requiredWhenApplies: 'A keytab path is required' },
    password: { ...password, appliesWhen: (values) => values.tgtSource === 'password', requiredWhenApplies: 'A password is required to obtain a ticket' },
    ticketCache: {
      part: 'metadata',
      label: 'Ticket cache',
      hint: 'The default cache when empty.',
      input: 'text',
      optional: true,
      appliesWhen: (values) => values.tgtSource === 'ticket-cache',
      cli: 'app',
    },
    port,
  },
  'ssh-vault-certificate': {
    privateKey,
    keyPassphrase,
    vaultManagerId: {
      part: 'metadata',
      label: 'Vault manager',
      input: 'manager',
      cli: { flag: 'vault-manager', value: 'M', help: 'the Vault manager whose SSH engine signs the key (checked at create)', required: true },
    },
    mount: { part: 'metadata', label: 'Engine mount', hint: 'The SSH secrets engine’s mount path.', input: 'text', initial: 'ssh-client-signer', cli: { flag: 'mount', value: 'M', help: "the Vault SSH engine's mount", required: true } },
    role: { part: 'metadata', label: 'Role', input: 'text', cli: { flag: 'role', value: 'R', help: 'the Vault SSH role that signs', required: true } },
    username,
    port,
  },
  winrm: {
    domain: { part: 'metadata', label: 'Domain', hint: 'Empty for a local user.', input: 'text', optional: true, cli: { flag: 'domain', value: 'D', help: 'the Windows domain' } },
    username,
    auth: {
      part: 'metadata',
      label: 'Authentication',
      input: 'choice',
      options: [
        { value: 'ntlm', label: 'NTLM' },
        { value: 'kerberos', label: 'Kerberos' },
        { value: 'basic', label: 'Basic' },
      ],
      cli: { flag: 'auth', value: 'METHOD', help: 'how to log in', required: true },
    },
    kerberosSource: { part: 'metadata', label: 'Kerberos credentials', input: 'choice', options: [passwordChoice, keytabChoice], appliesWhen: kerberos, cli: 'derived' },
    realm: { ...realm, appliesWhen: kerberos, requiredWhenApplies: 'A realm is required for Kerberos' },
    kdc: { ...kdc, appliesWhen: kerberos, cli: 'app' },
    keytabPath: { ...keytabPath, appliesWhen: kerberosKeytab, requiredWhenApplies: 'A keytab path is required' },
    password: { ...password, appliesWhen: (values) => !kerberosKeytab(values), requiredWhenApplies: 'A password is required' },
    useSsl: { part: 'metadata', label: 'Use SSL', input: 'checkbox', cli: { flag: 'ssl', help: 'WinRM over HTTPS' } },
    skipCertCheck: { part: 'metadata', label: 'Skip certificate check', input: 'checkbox', cli: { flag: 'skip-cert-check', help: "do not check the server's TLS certificate" } },
    useNoProfile: { part: 'metadata', label: 'Use no profile', input: 'checkbox', cli: { flag: 'no-profile', help: "do not load the user's profile" } },
    allowBasicOverHttp: {
      part: 'metadata',
      label: 'Allow Basic over HTTP',
      hint: 'Without SSL, Basic sends the password unencrypted. Use SSL unless this is a test machine.',
      input: 'checkbox',
      appliesWhen: (values) => values.auth === 'basic' && values.useSsl !== true,
      cli: 'app',
    },
    port: { ...port, hint: '5985 without SSL, 5986 with it; follows “Use SSL” unless you type a port.', initial: (values) => String(defaultWinrmPort(values.useSsl === true)) },
  },
} as const satisfies SecretFieldSpecs;

/** One type's fields with their keys, in form order. */
export function secretFieldsOfType(type: SecretType): { key: string; spec: SecretFieldSpec }[] {
  return Object.entries(secretFieldSpecs[type] as Record<string, SecretFieldSpec>).map(([key, spec]) => ({ key, spec }));
}

/** The fields of a type that apply to these values (form values or stored metadata), in form order. */
export function applicableFields(type: SecretType, values: Readonly<Record<string, unknown>>): { key: string; spec: SecretFieldSpec }[] {
  return secretFieldsOfType(type).filter(({ spec }) => spec.appliesWhen?.(values) ?? true);
}

/** Where a field's problems are reported: main checks metadata as `metadata.<key>`; the delegate names payload fields by their key. */
export function secretFieldIssuePath(type: SecretType, key: string): string {
  const spec = (secretFieldSpecs[type] as Record<string, SecretFieldSpec | undefined>)[key];
  return spec?.part === 'metadata' ? `metadata.${key}` : key;
}

/** A field's label by its key in any type: the same key means the same thing in every type. */
export function secretFieldLabel(key: string): string | undefined {
  for (const type of Object.keys(secretFieldSpecs) as SecretType[]) {
    const spec = (secretFieldSpecs[type] as Record<string, SecretFieldSpec | undefined>)[key];
    if (spec) return spec.label;
  }
  return undefined;
}

/** The form control a field, a control name or an issue path ("metadata.port", "file.size") belongs to; null for none. */
export function secretFieldControl(path: string): string | null {
  const parts = path.split('.');
  const head = parts[0] === 'metadata' ? parts[1] : parts[0];
  if (head === undefined) return null;
  for (const type of Object.keys(secretFieldSpecs) as SecretType[]) {
    for (const { key, spec } of secretFieldsOfType(type)) {
      if (key === head || spec.control === head) return spec.control ?? key;
    }
  }
  return null;
}

/** The flag a CLI field takes, or null when it comes from stdin, other flags or the app only. */
export function cliFlagOf(spec: SecretFieldSpec): SecretFieldFlag | null {
  return typeof spec.cli === 'string' ? null : spec.cli;
}

/** A field's starting value in the form, and the CLI's when its flag is not given: its spec's `initial`, or by its kind of input. */
export function initialValueOf(spec: SecretFieldSpec, values: Readonly<Record<string, unknown>> = {}): string | boolean | null {
  if (typeof spec.initial === 'function') return spec.initial(values);
  if (spec.initial !== undefined) return spec.initial;
  switch (spec.input) {
    case 'checkbox':
      return false;
    case 'file':
      return null;
    case 'choice':
      return spec.options?.[0]?.value ?? '';
    default:
      return '';
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * The rules that span fields (auth method ↔ which secret is required), from
 * each field's `requiredWhenApplies`: a field that applies to the metadata
 * and is empty is an issue under its key. Both the renderer (before sealing)
 * and the delegate (after opening) run them; only the delegate's verdict
 * counts.
 */
export function crossFieldIssues(type: SecretType, metadata: Readonly<Record<string, unknown>>, payload: unknown): FieldIssue[] {
  const secretValues = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  return applicableFields(type, metadata).flatMap(({ key, spec }) => {
    if (spec.requiredWhenApplies === undefined) return [];
    const value = spec.part === 'metadata' ? metadata[key] : secretValues[key];
    return value ? [] : [{ path: key, message: spec.requiredWhenApplies }];
  });
}
