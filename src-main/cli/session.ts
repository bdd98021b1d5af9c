/**
 * What a CLI command works with: the core it drives (main's role, in this
 * process), the streams, and the lookups and prompts several commands share.
 */
import { readFileSync } from 'node:fs';
import type { AppCore } from '../core/app-core.js';
import type { Channel, ChannelRequest, ChannelResult, IpcError, ManagerSummary, SecretSummary } from '../../src-shared/contract.js';
import { readHiddenLine } from './prompt.js';
import { UserError } from './cli-errors.js';
import { SessionClient } from '../core/session/session-client.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

function describe(error: IpcError): string {
  if (error.issues?.length) return error.issues.map((issue) => `${issue.path || 'request'}: ${issue.message}`).join('; ');
  if (error.conflicts?.length) return `${error.message} (${error.conflicts.slice(0, 10).join(', ')}${error.conflicts.length > 10 ? ', …' : ''})`;
  return error.message;
}

/** What a command needs of a core: this process's own, or the one an open session serves over its socket. */
export type CoreAccess = Pick<AppCore, 'handle' | 'onEvent'>;

/** For the commands that manage sessions and never touch a store themselves. */
export const NO_CORE: CoreAccess = {
  handle: async () => ({ ok: false, error: { code: 'INTERNAL', message: 'This command runs without a store.' } }),
  onEvent: () => () => undefined,
};

export class Session {
  constructor(
    readonly core: CoreAccess,
    readonly io: CliIo,
    readonly dataDir: string,
    /** The built session agent `strongroom unlock` starts. */
    readonly agentEntry = '',
  ) {}

  /** Whether an open session's agent (or the app) serves this command, rather than a core of its own. */
  get servedBySession(): boolean {
    return this.core instanceof SessionClient;
  }

  async call<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
    const result = await this.core.handle(channel, request);
    if (!result.ok) throw new UserError(describe(result.error), result.error.code);
    return result.value as ChannelResult<C>;
  }

  async publicKey(): Promise<string> {
    return (await this.call('app.status', {})).delegatePublicKey!;
  }

  async readStdin(): Promise<string> {
    if (this.io.stdin.isTTY) this.io.stderr.write('Enter the value, then press Ctrl+D:\n');
    const chunks: Buffer[] = [];
    for await (const chunk of this.io.stdin) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }

  async passphrase(file: string | undefined, confirm: boolean, what = 'master passphrase'): Promise<string> {
    if (file) return readPassphraseFile(file);
    if (!this.io.stdin.isTTY) throw new UserError(`No ${what}: give it in a file (see --help), or run strongroom in a terminal.`);
    const passphrase = await readHiddenLine(this.io, confirm ? `New ${what}: ` : `${what[0]!.toUpperCase()}${what.slice(1)}: `);
    if (confirm && (await readHiddenLine(this.io, 'Repeat it: ')) !== passphrase) throw new UserError('The passphrases do not match.');
    return passphrase;
  }

  async findSecret(name: string): Promise<SecretSummary> {
    const { items } = await this.call('secrets.list', { query: name, limit: 500 });
    const found = items.find((item) => item.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new UserError(`No secret named "${name}".`);
    return found;
  }

  async findApplication(name: string) {
    const { items } = await this.call('apps.list', {});
    const found = items.find((app) => app.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new UserError(`No application named "${name}".`);
    return found;
  }

  async findManager(nameOrId: string): Promise<ManagerSummary> {
    const { items } = await this.call('managers.list', {});
    const found = items.find((item) => item.id === nameOrId) ?? items.find((item) => item.name.toLowerCase() === nameOrId.toLowerCase());
    if (!found) throw new UserError(`No secret manager named "${nameOrId}". See "strongroom manager list".`);
    return found;
  }

  write(text: string): void {
    this.io.stdout.write(text);
  }

  say(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}

/** A passphrase file's first line. */
export function readPassphraseFile(file: string): string {
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
