/**
 * The `strongroom` command: scripting and headless use of the same core the
 * desktop app drives. Main's role runs in this process; the delegate is a
 * child, and values reach it sealed exactly as from the renderer.
 *
 * Each command group lives in commands/ with its own options; this finds the
 * command, parses only the options it declares, unlocks the store and runs it.
 *
 * Exit codes: 0 success, 1 a user error (one line on stderr), 2 a usage error.
 * The streams and core options are injected so tests can run it in-process
 * and watch every message main exchanges with the delegate.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AppCoreOptions } from '../core/app-core-types.js';
import { SessionClient } from '../core/session/session-client.js';
import { DATABASE_FILE, defaultDataDir } from '../core/paths.js';
import { delegateLaunch } from '../core/delegate/delegate-channel.js';
import { sealBindings, sealValues } from '../../src-shared/sealed-box.js';
import { UsageError, UserError } from './cli-errors.js';
import { pathsInitWouldCreate, removeCreated } from './init-cleanup.js';
import { globalOptions, type CommandSpec, type OptionSpecs, type OptionValues } from './command.js';
import { commandHelp, usage } from './help.js';
import { NO_CORE, Session, readPassphraseFile, type CliIo } from './session.js';
import { commands, commandsInGroup } from './commands/index.js';

export type { CliIo } from './session.js';
export type CliCoreOptions = Partial<Omit<AppCoreOptions, 'dataDir' | 'actor'>> & {
  /** The built session agent; defaults to agent.js beside the built CLI. */
  agentEntry?: string;
};

function defaultAgentEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'agent.js');
}

/** dist/main/cli.js sits beside dist/delegate/main.js once built, as the core's own default does. */
function defaultDelegateEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'delegate', 'main.js');
}

type ParseOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

function parseOptions(specs: OptionSpecs): ParseOptions {
  return Object.fromEntries(Object.entries(specs).map(([name, { type, multiple, short }]) => [name, { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) }]));
}

/** Every option any command declares, to find the command words before knowing which command it is. */
function allOptions(): ParseOptions {
  const all: ParseOptions = parseOptions(globalOptions);
  for (const command of commands) {
    for (const [name, option] of Object.entries(parseOptions(command.options))) {
      // Only the type matters for telling option values from command words.
      if (all[name] && all[name].type !== option.type) throw new Error(`--${name} is declared as a string in one command and a flag in another.`);
      all[name] = { type: option.type, multiple: true };
    }
  }
  return all;
}

class CommandUsageError extends UsageError {
  constructor(
    message: string,
    readonly command: CommandSpec,
  ) {
    super(message);
  }
}

function findCommand(positionals: string[]): { command: CommandSpec; args: string[] } | null {
  // Longest first: `manager orphans forget ID` before `manager orphans [M]`.
  for (const length of [3, 2, 1]) {
    const command = commands.find((candidate) => candidate.words === positionals.slice(0, length).join(' '));
    if (command) return { command, args: positionals.slice(length) };
  }
  return null;
}

/** Parses the command line against the command's own options; an option it does not declare is a usage error naming it. */
function parseCommand(command: CommandSpec, argv: string[]): { args: string[]; values: OptionValues<OptionSpecs> } {
  const fail = (message: string) => new CommandUsageError(message, command);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: parseOptions({ ...globalOptions, ...command.options }) });
  } catch (error) {
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message);
    throw fail(unknown ? `"${command.words}" does not take ${unknown[1]}.` : (error as Error).message);
  }
  const values = parsed.values as OptionValues<OptionSpecs>;
  const args = findCommand(parsed.positionals)!.args;
  // Help needs none of the command's arguments or required options.
  if (values.help) return { args, values };
  const expected = command.args ?? [];
  const most = command.repeatsLastArg ? Infinity : expected.length + (command.optionalArgs ?? []).length;
  if (args.length < expected.length) throw fail(`"${command.words}" needs ${expected.length === 1 ? 'a name' : `${expected.length} names`}.`);
  if (args.length > most) throw fail(`Unexpected argument "${args[most]}".`);
  for (const name of command.required ?? []) {
    if (values[name] === undefined) throw fail(`"${command.words}" needs --${name} ${command.options[name]!.value ?? ''}`.trimEnd() + '.');
  }
  if (command.variants && command.variantOf) {
    let variant;
    try {
      variant = command.variantOf(values);
    } catch (error) {
      if (error instanceof UsageError) throw fail(error.message);
      throw error;
    }
    for (const name of command.variants.flatMap((candidate) => Object.keys(candidate.options))) {
      if (values[name] !== undefined && !(name in variant.options)) throw fail(`--${name} does not apply to ${variant.label}.`);
    }
    const required = [...Object.entries(variant.options).filter(([, option]) => option.required), ...(variant.requires ?? []).map((name) => [name, {}] as const)];
    for (const [name, option] of required) {
      if (values[name] === undefined) throw fail(`${variant.label} needs --${name} ${('value' in option ? option.value : undefined) ?? command.options[name]!.value ?? ''}`.trimEnd() + '.');
    }
  }
  return { args, values };
}

async function run(argv: string[], io: CliIo, coreOptions: CliCoreOptions): Promise<number> {
  let positionals: string[];
  try {
    positionals = parseArgs({ args: argv, allowPositionals: true, strict: false, options: allOptions() }).positionals;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const found = findCommand(positionals);
  if (!found) {
    if (argv.includes('--help') || argv.includes('-h')) {
      // `strongroom secret --help` lists the secret commands; anything else, every command.
      const group = commandsInGroup(positionals.join(' '));
      io.stdout.write(`${usage(positionals.length && group.length ? group : commands)}\n`);
      return 0;
    }
    throw new UsageError(positionals.length ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
  }
  const { command } = found;
  const { args, values } = parseCommand(command, argv);
  if (values.help) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }

  const dataDir = resolve((values['data-dir'] as string | undefined) ?? defaultDataDir());
  if (command.withoutCore) return (await command.run(new Session(NO_CORE, io, dataDir, coreOptions.agentEntry ?? defaultAgentEntry()), args, values)) ?? 0;
  if (command.unlock !== false) {
    // An open session serves this folder unlocked: no passphrase, no key derivation, no core of our own.
    const remote = await SessionClient.open(dataDir);
    if (remote) {
      try {
        return (await command.run(new Session(remote, io, dataDir), args, values)) ?? 0;
      } catch (error) {
        if (error instanceof UsageError && !(error instanceof CommandUsageError)) throw new CommandUsageError(error.message, command);
        throw error;
      } finally {
        remote.close();
      }
    }
  }
  // A command that will unlock an existing store forks its delegate before loading the core,
  // so the delegate's start overlaps the core's (the key derivation waits for both anyway).
  const delegateEntry = coreOptions.delegateEntry ?? defaultDelegateEntry();
  const early =
    command.unlock !== false && !coreOptions.spawnDelegate && existsSync(join(dataDir, DATABASE_FILE))
      ? // Loaded here, not at start: a command served by a session forks no delegate.
        (await import('../core/delegate/node-delegate-channel.js')).forkDelegateEarly(delegateLaunch(delegateEntry, join(dataDir, 'logs')))
      : null;
  // A refused init leaves nothing behind: what it would create is noted before the core creates it.
  const createdByInit = command.words === 'init' ? pathsInitWouldCreate(dataDir) : [];
  const passphraseFile = values['passphrase-file'] as string | undefined;
  let unlockPassphrase: string | undefined;
  let core;
  try {
    if (early && passphraseFile) {
      // The delegate derives the key while the core loads: the unlock below then finds it ready.
      unlockPassphrase = readPassphraseFile(passphraseFile);
      await early.prepareUnlock(unlockPassphrase, await (await import('../core/store/keyring-kdf.js')).readKeyringKdf(dataDir));
    }
    // Loaded only here, so a command served by a session never loads the core, SQLite or the services.
    const { createAppCore } = await import('../core/app-core.js');
    core = await createAppCore({ ...coreOptions, delegateEntry, ...(early ? { spawnDelegate: early.spawn } : {}), dataDir, actor: 'cli' });
  } catch (error) {
    early?.discard();
    throw error;
  }
  let failed = true;
  const session = new Session(core, io, dataDir);
  try {
    if (command.unlock !== false) {
      const status = await session.call('app.status', {});
      if (!status.initialized) throw new UserError('No store exists in this data folder. Run "strongroom init" first.');
      const passphrase = unlockPassphrase ?? (await session.passphrase(passphraseFile, false));
      await session.call('vault.unlock', { sealedPassphrase: await sealValues(status.delegatePublicKey!, sealBindings.vaultUnlock(), [passphrase]) });
    }
    const code = (await command.run(session, args, values)) ?? 0;
    failed = false;
    return code;
  } catch (error) {
    if (error instanceof UsageError && !(error instanceof CommandUsageError)) throw new CommandUsageError(error.message, command);
    throw error;
  } finally {
    await core.handle('vault.lock', {});
    await core.close();
    early?.discard();
    if (failed) removeCreated(createdByInit);
  }
}

/** Runs one command and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, coreOptions: CliCoreOptions = {}): Promise<number> {
  try {
    return await run(argv, io, coreOptions);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error instanceof CommandUsageError ? commandHelp(error.command) : usage(commands);
      io.stderr.write(`strongroom: ${error.message}\n\n${help}\n`);
      return 2;
    }
    io.stderr.write(`strongroom: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
