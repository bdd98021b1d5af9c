/**
 * How a CLI command is described: its words, positional arguments, and its own
 * options. The parser accepts only the options a command declares (a flag
 * that does not apply is a usage error naming it), and the help text is
 * rendered from the same declarations.
 */
import type { Session } from './session.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The placeholder the help shows for the value, e.g. `FILE`. */
  value?: string;
  help: string;
}
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean : O['multiple'] extends true ? string[] : string;
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: ValueOf<O[K]> };

/** Options every command takes: where the store is and how to unlock it. */
export const globalOptions = {
  'data-dir': { type: 'string', value: 'DIR', help: 'the store folder' },
  'passphrase-file': { type: 'string', value: 'FILE', help: 'read the master passphrase from the first line of FILE' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
} as const satisfies OptionSpecs;

/** `--json`, for the commands whose output a script may read. */
export const jsonOutput = {
  json: { type: 'boolean', help: 'print JSON' },
} as const satisfies OptionSpecs;

/**
 * A set of options that applies only in one form of a command, e.g. the
 * fields of one secret type. `required` and `value` override the command's
 * declaration for this form.
 */
export interface CommandVariant {
  /** How the help introduces this form, e.g. `--type ssh`. */
  label: string;
  options: Record<string, { required?: boolean; value?: string }>;
  /** Options every form takes that this form cannot do without. */
  requires?: readonly string[];
}

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** `init`, `secret create`, … */
  words: string;
  /** The help heading the command is listed under. */
  group: string;
  summary: string;
  /** Placeholders of the positional arguments, e.g. `['N']`. */
  args?: readonly string[];
  /** Placeholders of positional arguments that may be left out, after `args`. */
  optionalArgs?: readonly string[];
  /** The last placeholder of `args` may be given any number of times (`secret scope N...`). */
  repeatsLastArg?: boolean;
  options: O;
  /** Options the command cannot do without (shown without brackets). */
  required?: readonly (keyof O & string)[];
  /** The forms of the command; `variantOf` picks the one the given options ask for (or throws a UsageError). */
  variants?: readonly CommandVariant[];
  variantOf?: (values: OptionValues<O>) => CommandVariant;
  /** False for the one command that runs before a store exists. */
  unlock?: boolean;
  /** The session commands (unlock, lock, status) talk to a session agent and open no store of their own. */
  withoutCore?: boolean;
  /** Returns the exit code (0 when left out). */
  run(session: Session, args: string[], values: OptionValues<O & typeof globalOptions>): Promise<number | void>;
}

/**
 * Keeps each command's option types precise for its `run`, while the command
 * table holds them all. The values a command receives were parsed against its
 * own options (cli-app.ts), which is what makes them its `OptionValues`.
 */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec {
  const { variantOf, run, ...declaration } = spec;
  return {
    ...declaration,
    ...(variantOf ? { variantOf: (values: OptionValues<OptionSpecs>) => variantOf(values as OptionValues<O>) } : {}),
    run: (session, args, values) => run(session, args, values as OptionValues<O & typeof globalOptions>),
  };
}
