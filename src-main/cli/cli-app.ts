/**
 * The `strongroom` command: scripting and headless use of the same core the
 * desktop app drives. Main's role runs in this process; the delegate is a
 * child, and values reach it sealed exactly as from the renderer.
 *
 * Exit codes: 0 success, 1 a user error (one line on stderr), 2 a usage error.
 * The streams and core options are injected so tests can run it in-process
 * and watch every message main exchanges with the delegate.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAppCore, type AppCore, type AppCoreOptions } from '../core/app-core.js';
import { defaultDataDir } from '../core/paths.js';
import {
  createSealRecipient,
  sealBindings,
  sealValues,
  type Channel,
  type ChannelRequest,
  type ChannelResult,
  type IpcError,
  type SecretSummary,
} from '../ipc/contract.js';
import { readHiddenLine } from './prompt.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export type CliCoreOptions = Partial<Omit<AppCoreOptions, 'dataDir' | 'actor'>>;

const USAGE = `Usage: strongroom [--data-dir DIR] [--passphrase-file FILE] <command>

Commands:
  init                                      create a new store
  secret create --name N [--description D]  value from stdin
  secret list [--json]
  secret reveal N                           value to stdout
  secret update N                           new value from stdin
  secret delete N
  audit verify

The passphrase comes from --passphrase-file (its first line) or a prompt on a
terminal; never from an argument or the environment. Values read from stdin
lose one trailing newline.`;

class UsageError extends Error {}
class UserError extends Error {}

async function call<C extends Channel>(core: AppCore, channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
  const result = await core.handle(channel, request);
  if (!result.ok) throw new UserError(describe(result.error));
  return result.value as ChannelResult<C>;
}

function describe(error: IpcError): string {
  if (error.issues?.length) return error.issues.map((issue) => `${issue.path || 'request'}: ${issue.message}`).join('; ');
  return error.message;
}

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY) io.stderr.write('Enter the value, then press Ctrl+D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function readPassphrase(io: CliIo, file: string | undefined, confirm: boolean): Promise<string> {
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UserError(`Cannot read the passphrase file ${file}.`);
    }
    const passphrase = text.split(/\r?\n/)[0] ?? '';
    if (!passphrase) throw new UserError(`The passphrase file ${file} is empty.`);
    return passphrase;
  }
  if (!io.stdin.isTTY) throw new UserError('No passphrase: use --passphrase-file FILE, or run strongroom in a terminal.');
  const passphrase = await readHiddenLine(io, confirm ? 'New master passphrase: ' : 'Master passphrase: ');
  if (confirm && (await readHiddenLine(io, 'Repeat it: ')) !== passphrase) throw new UserError('The passphrases do not match.');
  return passphrase;
}

async function sealedPassphrase(core: AppCore, passphrase: string, creating: boolean) {
  const status = await call(core, 'app.status', {});
  const binding = creating ? sealBindings.vaultCreate() : sealBindings.vaultUnlock();
  return sealValues(status.delegatePublicKey!, binding, [passphrase]);
}

async function unlock(io: CliIo, core: AppCore, passphraseFile: string | undefined): Promise<void> {
  const status = await call(core, 'app.status', {});
  if (!status.initialized) throw new UserError('No store exists in this data folder. Run "strongroom init" first.');
  const passphrase = await readPassphrase(io, passphraseFile, false);
  await call(core, 'vault.unlock', { sealedPassphrase: await sealedPassphrase(core, passphrase, false) });
}

async function findSecret(core: AppCore, name: string): Promise<SecretSummary> {
  const { items } = await call(core, 'secrets.list', { query: name, limit: 500, offset: 0 });
  const found = items.find((item) => item.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new UserError(`No secret named "${name}".`);
  return found;
}

async function run(argv: string[], io: CliIo, coreOptions: CliCoreOptions): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'passphrase-file': { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [group, action, target, ...extra] = positionals;
  const command = [group, action].filter(Boolean).join(' ');
  const known: Record<string, { target: boolean }> = {
    init: { target: false },
    'secret create': { target: false },
    'secret list': { target: false },
    'secret reveal': { target: true },
    'secret update': { target: true },
    'secret delete': { target: true },
    'audit verify': { target: false },
  };
  const spec = group === 'init' ? (action === undefined ? known.init : undefined) : known[command];
  if (!spec) throw new UsageError(group ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
  if (spec.target && !target) throw new UsageError(`"${command}" needs a secret name.`);
  if ((!spec.target && target !== undefined) || extra.length > 0) throw new UsageError(`Unexpected argument "${spec.target ? extra[0] : target}".`);
  if (command === 'secret create' && !values.name) throw new UsageError('"secret create" needs --name N.');

  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const core = await createAppCore({ ...coreOptions, dataDir, actor: 'cli' });
  try {
    if (group === 'init') {
      const status = await call(core, 'app.status', {});
      if (status.initialized) throw new UserError(`A store already exists in ${dataDir}.`);
      const passphrase = await readPassphrase(io, values['passphrase-file'], true);
      await call(core, 'vault.create', { sealedPassphrase: await sealedPassphrase(core, passphrase, true) });
      io.stderr.write(`Created a new store in ${dataDir}.\n`);
      return 0;
    }
    await unlock(io, core, values['passphrase-file']);
    switch (command) {
      case 'secret create': {
        const name = values.name!;
        const value = await readStdin(io);
        const status = await call(core, 'app.status', {});
        const sealedValue = await sealValues(status.delegatePublicKey!, sealBindings.secretCreate([name]), [value]);
        await call(core, 'secrets.create', { name, description: values.description, sealedValue });
        io.stderr.write(`Created secret "${name}".\n`);
        break;
      }
      case 'secret list': {
        const items: SecretSummary[] = [];
        for (let offset = 0; ; offset += 500) {
          const page = await call(core, 'secrets.list', { query: '', limit: 500, offset });
          items.push(...page.items);
          if (items.length >= page.total || page.items.length === 0) break;
        }
        if (values.json) io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        else for (const item of items) io.stdout.write(`${item.name}\tv${item.version}\t${item.updatedAt}\t${item.description ?? ''}\n`);
        break;
      }
      case 'secret reveal': {
        const secret = await findSecret(core, target!);
        const recipient = await createSealRecipient();
        const { sealed } = await call(core, 'secrets.reveal', { id: secret.id, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
        const [value] = await recipient.open(sealed, sealBindings.secretReveal([secret.id]));
        io.stdout.write(io.stdout.isTTY ? `${value}\n` : value!);
        break;
      }
      case 'secret update': {
        const secret = await findSecret(core, target!);
        const value = await readStdin(io);
        const status = await call(core, 'app.status', {});
        const sealedValue = await sealValues(status.delegatePublicKey!, sealBindings.secretUpdate(secret.id), [value]);
        const updated = await call(core, 'secrets.update', { id: secret.id, sealedValue });
        io.stderr.write(`Updated secret "${secret.name}" to version ${updated.version}.\n`);
        break;
      }
      case 'secret delete': {
        const secret = await findSecret(core, target!);
        await call(core, 'secrets.delete', { id: secret.id });
        io.stderr.write(`Deleted secret "${secret.name}".\n`);
        break;
      }
      case 'audit verify': {
        const verdict = await call(core, 'audit.verify', {});
        if (!verdict.intact) throw new UserError(`Audit chain broken at entry ${verdict.firstBrokenSeq}: ${verdict.problem}`);
        io.stdout.write(`Audit chain intact: ${verdict.checked} entries verified.\n`);
        break;
      }
    }
    return 0;
  } finally {
    await core.handle('vault.lock', {});
    await core.close();
  }
}

/** Runs one command and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, coreOptions: CliCoreOptions = {}): Promise<number> {
  try {
    return await run(argv, io, coreOptions);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`strongroom: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`strongroom: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
