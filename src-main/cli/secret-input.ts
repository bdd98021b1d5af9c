/**
 * Turns `secret create` options into a secret type's metadata and payload,
 * from the types' field specs: the options, their help and the reading of
 * each flag all follow from secret-field-basics.ts. Secret fields come from
 * stdin or from files named on the command line, never from arguments.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cliFlagOf, crossFieldIssues, initialValueOf, secretFieldsOfType, type SecretFieldSpec, type secretFieldSpecs } from '../../src-shared/secret-field-basics.js';
import { MAX_FILE_BYTES, secretTypes, type SecretType } from '../../src-shared/secret-type-basics.js';
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

export type SecretOptions = OptionValues<SecretFieldOptions> & { type?: string };

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

/** Where `secret create` reads what is not in its flags: stdin, and a manager's id by the name a flag gives. */
export interface SecretSources {
  stdin: () => Promise<string>;
  managerId: (name: string) => Promise<string>;
}

type Field = { key: string; spec: SecretFieldSpec };
type Values = Record<string, unknown>;

function readFile(path: string, spec: SecretFieldSpec): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new SecretInputError(`Cannot read the ${spec.input === 'file' ? 'file' : `${spec.label.toLowerCase()} file`} ${path}.`);
  }
}

/** A flag's text as its field's value, by the field's kind of input. */
function parsedFlag(flag: string, spec: SecretFieldSpec, text: string): string | number {
  if (spec.input === 'number') {
    const parsed = Number(text);
    if (!Number.isInteger(parsed)) throw new SecretUsageError(`--${flag} must be a number, not "${text}".`);
    return parsed;
  }
  if (spec.options && !spec.options.some((option) => option.value === text)) {
    const values = spec.options.map((option) => option.value);
    throw new SecretUsageError(`--${flag} must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}, not "${text}".`);
  }
  return text;
}

/**
 * Turns `secret create` options into a secret's metadata and payload, field
 * by field from the type's specs: a flag's value by its field's kind of
 * input, a flag left out at the field's starting value, a derived choice at
 * the option the given flags fit, a secret from the file its flag names or
 * from stdin. `stdin` is read only when a field that applies comes from
 * there.
 */
export async function secretFromOptions(options: SecretOptions, sources: SecretSources): Promise<{ type: SecretType; metadata: Record<string, unknown>; payload: string }> {
  const type = options.type ?? 'text';
  if (!isSecretType(type)) throw new SecretUsageError(`Unknown --type "${type}".`);
  const given = options as Record<string, string | boolean | undefined>;
  const fields = secretFieldsOfType(type);
  const flagText = ({ spec }: Field): string | true | undefined => {
    const value = cliFlagOf(spec) ? given[cliFlagOf(spec)!.flag] : undefined;
    return value === false ? undefined : value;
  };
  const applies = ({ spec }: Field, values: Values) => spec.appliesWhen?.(values) ?? true;

  // The fields a file flag fills (a file's content, name and size), by the control they share.
  const files = new Map<string, { fileName: string; size: number; contentBase64: string }>();
  for (const field of fields) {
    const path = flagText(field);
    if (field.spec.input !== 'file' || typeof path !== 'string') continue;
    const content = readFile(path, field.spec);
    if (content.length > MAX_FILE_BYTES) throw new SecretInputError(`${path} is larger than 10 MiB.`);
    files.set(field.spec.control ?? field.key, { fileName: basename(path), size: content.length, contentBase64: content.toString('base64') });
  }

  const metadata: Values = {};
  for (const field of fields.filter(({ spec }) => spec.part === 'metadata')) {
    const text = flagText(field);
    const fromFile = field.spec.control === undefined ? undefined : (files.get(field.spec.control) as Values | undefined)?.[field.key];
    if (fromFile !== undefined) metadata[field.key] = fromFile;
    else if (text === true) metadata[field.key] = true;
    else if (text !== undefined) metadata[field.key] = field.spec.input === 'manager' ? await sources.managerId(text) : parsedFlag(cliFlagOf(field.spec)!.flag, field.spec, text);
  }
  for (const field of fields) {
    if (field.spec.cli === 'derived' && field.spec.options && applies(field, metadata)) metadata[field.key] = derivedChoice(fields, field, metadata, flagText);
  }
  // A flag left out: its field's starting value, which may follow other flags (a WinRM port follows --ssl).
  for (const field of fields) {
    const flag = cliFlagOf(field.spec);
    if (field.spec.part !== 'metadata' || !flag || field.key in metadata) continue;
    const initial = initialValueOf(field.spec, metadata);
    if (initial !== '' && initial !== null) metadata[field.key] = typeof initial === 'string' ? parsedFlag(flag.flag, field.spec, initial) : initial;
  }

  // A field that does not apply to the chosen options is left out; naming it in a flag is a usage error.
  const choices = fields.flatMap(({ key, spec }) => (spec.options && cliFlagOf(spec) && typeof given[cliFlagOf(spec)!.flag] === 'string' ? [`--${cliFlagOf(spec)!.flag} ${String(metadata[key])}`] : []));
  const payload: Values = {};
  for (const field of fields) {
    if (applies(field, metadata)) {
      if (field.spec.part === 'payload') payload[field.key] = await secretValue(field, flagText(field), files, sources);
      continue;
    }
    delete metadata[field.key];
    if (flagText(field) !== undefined) throw new SecretUsageError(`--${cliFlagOf(field.spec)!.flag} does not apply to --type ${type}${choices.length ? ` with ${choices.join(' ')}` : ''}.`);
  }

  // A rule across fields that a flag alone satisfies is a usage error here; one about stdin is the delegate's to refuse.
  for (const issue of crossFieldIssues(type, metadata, payload)) {
    const spec = fields.find(({ key }) => key === issue.path)!.spec;
    const flag = cliFlagOf(spec);
    if (flag && !flag.stdinOtherwise) throw new SecretUsageError(`--type ${type} needs --${flag.flag}${flag.value ? ` ${flag.value}` : ''}.`);
  }
  // A text secret's payload is its value itself.
  return { type, metadata, payload: type === 'text' ? (payload.value as string) : JSON.stringify(payload) };
}

/** A secret field's value: from the file its flag names (all of a key, the first line of a passphrase), or from stdin when it comes from there. */
async function secretValue(field: Field, path: string | true | undefined, files: Map<string, { contentBase64: string }>, sources: SecretSources): Promise<string | undefined> {
  const { key, spec } = field;
  if (spec.input === 'file') return files.get(spec.control ?? key)?.contentBase64;
  if (typeof path === 'string') {
    const text = readFile(path, spec).toString('utf8');
    return spec.input === 'password' ? (text.split(/\r?\n/)[0] ?? '') : text;
  }
  return spec.cli === 'stdin' || cliFlagOf(spec)?.stdinOtherwise ? sources.stdin() : undefined;
}

/**
 * A choice no flag names (where a Kerberos ticket comes from): the first of
 * its options under which every field whose flag was given applies, and
 * every field this choice brings in can be filled (it is read from stdin or
 * is optional). --keytab picks the keytab; without it, the password on stdin.
 */
function derivedChoice(fields: Field[], choice: Field, metadata: Values, flagText: (field: Field) => unknown): string | undefined {
  const options = choice.spec.options ?? [];
  const appliesWith = (field: Field, value: string) => field.spec.appliesWhen?.({ ...metadata, [choice.key]: value }) ?? true;
  const fits = (value: string) =>
    fields.every((field) => {
      if (field === choice) return true;
      const applies = appliesWith(field, value);
      if (flagText(field) !== undefined) return applies;
      const broughtIn = applies && options.some((other) => !appliesWith(field, other.value));
      return !broughtIn || field.spec.optional === true || field.spec.cli === 'stdin' || cliFlagOf(field.spec)?.stdinOtherwise === true;
    });
  return options.find((option) => fits(option.value))?.value;
}

/** Parses `A:E`, `A:*`, `A:prod`, `A:nonprod`, `*:*` into names; ids are looked up by the caller. */
export function parseScopeSpec(spec: string): { application: string | null; environment: string | null; environmentType: 'production' | 'non-production' | null } {
  const match = /^(?<app>[^:]+):(?<env>[^:]+)$/.exec(spec);
  const { app, env } = match?.groups ?? {};
  if (app === undefined || env === undefined) throw new SecretUsageError(`"${spec}" is not a scope entry: use APP:ENV, APP:*, APP:prod, APP:nonprod or *:*.`);
  const application = app === '*' ? null : app;
  if (env === '*') return { application, environment: null, environmentType: null };
  if (env === 'prod') return { application, environment: null, environmentType: 'production' };
  if (env === 'nonprod') return { application, environment: null, environmentType: 'non-production' };
  if (application === null) throw new SecretUsageError(`"${spec}": a specific environment needs its application.`);
  return { application, environment: env, environmentType: null };
}
