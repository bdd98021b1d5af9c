/**
 * Turns `secret create` options into a secret type's metadata and payload.
 * Secret fields come from stdin or from files named on the command line,
 * never from arguments.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cliFlagOf, secretFieldsOfType, type secretFieldSpecs } from '../../src-shared/secret-field-basics.js';
import { MAX_FILE_BYTES, defaultWinrmPort, secretTypes, type SecretType } from '../../src-shared/secret-type-basics.js';
import type { OptionValues } from './command.js';

export class SecretInputError extends Error {}
export class SecretUsageError extends Error {}

/** Every field spec of every type, as one union, with its literal flag names. */
type AnyFieldSpec = { [T in SecretType]: (typeof secretFieldSpecs)[T][keyof (typeof secretFieldSpecs)[T]] }[SecretType];
type FlagOf<S, Boolean extends boolean> = S extends { cli: { flag: infer F extends string } } ? ((S extends { input: 'checkbox' } ? true : false) extends Boolean ? F : never) : never;

/** The `secret create` options of the secret fields, with each flag's name, kind and help from the fields' specs. */
export type SecretFieldOptions = { [F in FlagOf<AnyFieldSpec, false>]: { type: 'string'; value?: string; help: string } } & {
  [F in FlagOf<AnyFieldSpec, true>]: { type: 'boolean'; help: string };
};

/** One option per flag any type's fields take; a flag shared by several types (`--port`) is one option. */
export const secretFieldOptions = Object.fromEntries(
  secretTypes.flatMap((type) =>
    secretFieldsOfType(type).flatMap(({ spec }) => {
      const flag = cliFlagOf(spec);
      if (!flag) return [];
      return [[flag.flag, spec.input === 'checkbox' ? { type: 'boolean', help: flag.help } : { type: 'string', value: flag.value, help: flag.help }]];
    }),
  ),
) as SecretFieldOptions;

export type SecretOptions = OptionValues<SecretFieldOptions> & {
  type?: string;
  /** The Vault manager that signs, by id: the command resolves the name the user gave. */
  vaultManagerId?: string;
};

/** The `secret create` options each type takes, from its fields' specs; a choice's `value` lists its choices in the help. */
export const secretTypeOptions = Object.fromEntries(
  secretTypes.map((type) => [
    type,
    Object.fromEntries(
      secretFieldsOfType(type).flatMap(({ spec }) => {
        const flag = cliFlagOf(spec);
        if (!flag) return [];
        return [[flag.flag, { ...(flag.required ? { required: true } : {}), ...(spec.options ? { value: spec.options.map((option) => option.value).join('|') } : {}) }]];
      }),
    ),
  ]),
) as Record<SecretType, Record<string, { required?: boolean; value?: string }>>;

export function isSecretType(value: string): value is SecretType {
  return (secretTypes as readonly string[]).includes(value);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new SecretInputError(`Cannot read the ${what} ${path}.`);
  }
}

function firstLine(path: string, what: string): string {
  return readText(path, what).split(/\r?\n/)[0] ?? '';
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new SecretUsageError(`--port must be a number, not "${value}".`);
  return parsed;
}

function need(value: string | undefined, flag: string, type: string): string {
  if (!value) throw new SecretUsageError(`--type ${type} needs ${flag}.`);
  return value;
}

/** `stdin` is read only when the chosen options say the secret comes from there. */
export async function secretFromOptions(options: SecretOptions, stdin: () => Promise<string>): Promise<{ type: SecretType; metadata: Record<string, unknown>; payload: string }> {
  const type = (options.type ?? 'text') as SecretType;
  const keyPassphrase = options['key-passphrase-file'] ? firstLine(options['key-passphrase-file'], 'key passphrase file') : undefined;
  switch (type) {
    case 'text':
      return { type, metadata: {}, payload: await stdin() };
    case 'file': {
      const path = need(options.file, '--file PATH', type);
      let content: Buffer;
      try {
        content = readFileSync(path);
      } catch {
        throw new SecretInputError(`Cannot read the file ${path}.`);
      }
      if (content.length > MAX_FILE_BYTES) throw new SecretInputError(`${path} is larger than 10 MiB.`);
      return { type, metadata: { fileName: basename(path), size: content.length }, payload: JSON.stringify({ contentBase64: content.toString('base64') }) };
    }
    case 'ssh': {
      const auth = need(options.auth, '--auth password|key|key-path', type);
      const metadata = { username: need(options.username, '--username U', type), auth, port: port(options.port), keyPath: options['key-path'] };
      if (auth === 'password') return { type, metadata, payload: JSON.stringify({ password: await stdin() }) };
      if (auth === 'key') {
        const privateKey = options['key-file'] ? readText(options['key-file'], 'key file') : await stdin();
        return { type, metadata, payload: JSON.stringify({ privateKey, keyPassphrase }) };
      }
      if (auth === 'key-path') {
        need(options['key-path'], '--key-path PATH', type);
        return { type, metadata, payload: JSON.stringify({ keyPassphrase }) };
      }
      throw new SecretUsageError(`--auth must be password, key or key-path, not "${auth}".`);
    }
    case 'ssh-kerberos': {
      const metadata = {
        principal: need(options.principal, '--principal P', type),
        realm: need(options.realm, '--realm R', type),
        kdc: options.kdc,
        tgtSource: options.keytab ? 'keytab' : 'password',
        keytabPath: options.keytab,
        port: port(options.port),
      };
      return { type, metadata, payload: JSON.stringify(options.keytab ? {} : { password: await stdin() }) };
    }
    case 'ssh-vault-certificate': {
      const metadata = {
        username: need(options.username, '--username U', type),
        vaultManagerId: need(options.vaultManagerId, '--vault-manager M', type),
        mount: need(options.mount, '--mount M', type),
        role: need(options.role, '--role R', type),
        port: port(options.port),
      };
      const privateKey = options['key-file'] ? readText(options['key-file'], 'key file') : await stdin();
      return { type, metadata, payload: JSON.stringify({ privateKey, keyPassphrase }) };
    }
    case 'winrm': {
      const auth = need(options.auth, '--auth ntlm|kerberos|basic', type);
      const useSsl = options.ssl === true;
      const metadata = {
        domain: options.domain ?? '',
        username: need(options.username, '--username U', type),
        auth,
        realm: options.realm,
        kerberosSource: auth === 'kerberos' ? (options.keytab ? 'keytab' : 'password') : undefined,
        keytabPath: options.keytab,
        useSsl,
        skipCertCheck: options['skip-cert-check'] === true,
        useNoProfile: options['no-profile'] === true,
        port: port(options.port) ?? defaultWinrmPort(useSsl),
      };
      return { type, metadata, payload: JSON.stringify(options.keytab ? {} : { password: await stdin() }) };
    }
    default:
      throw new SecretUsageError(`Unknown --type "${options.type}".`);
  }
}

/** Parses `A:E`, `A:*`, `A:prod`, `A:nonprod`, `*:*` into names; ids are looked up by the caller. */
export function parseScopeSpec(spec: string): { application: string | null; environment: string | null; environmentType: 'production' | 'non-production' | null } {
  const match = /^([^:]+):([^:]+)$/.exec(spec);
  if (!match) throw new SecretUsageError(`"${spec}" is not a scope entry: use APP:ENV, APP:*, APP:prod, APP:nonprod or *:*.`);
  const [, app, env] = match as unknown as [string, string, string];
  const application = app === '*' ? null : app;
  if (env === '*') return { application, environment: null, environmentType: null };
  if (env === 'prod') return { application, environment: null, environmentType: 'production' };
  if (env === 'nonprod') return { application, environment: null, environmentType: 'non-production' };
  if (application === null) throw new SecretUsageError(`"${spec}": a specific environment needs its application.`);
  return { application, environment: env, environmentType: null };
}
