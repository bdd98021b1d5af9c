/**
 * Helpers for tests that drive the real core: a real SQLite file in a temp
 * folder and a real delegate process forked from dist/ (the test runner
 * builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createAppCore, type AppCore, type AppCoreOptions } from '../../src-main/core/app-core.js';
import { DATABASE_FILE } from '../../src-main/core/paths.js';
import {
  createSealRecipient,
  sealBindings,
  sealValues,
  type Channel,
  type ChannelRequest,
  type ChannelResult,
  type IpcError,
} from '../../src-shared/contract.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const DELEGATE_ENTRY = join(REPO_ROOT, 'dist', 'delegate', 'main.js');
export const CLI_ENTRY = join(REPO_ROOT, 'bin', 'strongroom.js');
export const PASSPHRASE = 'correct horse battery staple';

export function requireBuild(): void {
  if (!existsSync(DELEGATE_ENTRY)) throw new Error(`${DELEGATE_ENTRY} is missing: run "npm run build" first (npm test does).`);
}

export function tempDir(prefix = 'strongroom-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function startCore(dataDir: string, options: Partial<AppCoreOptions> = {}): Promise<AppCore> {
  requireBuild();
  return createAppCore({ dataDir, actor: 'desktop', delegateEntry: DELEGATE_ENTRY, ...options });
}

/**
 * The built CLI run to its end on a store, as a user runs it. It blocks this
 * process: a test whose servers answer from this process spawns it with
 * `runNodeScript` (test/fixtures/process-tools.ts) instead.
 */
export function runCliSync(dataDir: string, passphraseFile: string, args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', dataDir, '--passphrase-file', passphraseFile, ...args], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Rows read straight from a store's SQLite file (read-only), for checking what the core or a command left there. */
export function queryStore<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE), { readonly: true, timeout: 5000 });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * Kills the delegate when main sends it an operation, as a crash in the middle
 * of key work: pass `onDelegateTraffic` in the core's options, then `killOn`
 * arms it for the operation's `skip + 1`th request, once.
 */
export class DelegateKiller {
  private armed: { op: string; skip: number } | null = null;

  constructor(private readonly core: () => AppCore | undefined) {}

  killOn(op: string, skip = 0): void {
    this.armed = { op, skip };
  }

  readonly onDelegateTraffic = (direction: 'to-delegate' | 'from-delegate', message: unknown): void => {
    const op = (message as { request?: { op?: string } }).request?.op;
    const pid = this.core()?.delegatePid;
    if (direction !== 'to-delegate' || this.armed === null || op !== this.armed.op || !pid) return;
    if (this.armed.skip-- > 0) return;
    this.armed = null;
    process.kill(pid, 'SIGKILL');
  };
}

export class CallError extends Error {
  constructor(readonly error: IpcError) {
    super(`${error.code}: ${error.message}`);
  }
}

export async function call<C extends Channel>(core: AppCore, channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
  const result = await core.handle(channel, request);
  if (!result.ok) throw new CallError(result.error);
  return result.value as ChannelResult<C>;
}

export async function callError(core: AppCore, channel: string, request: unknown): Promise<IpcError> {
  const result = await core.handle(channel, request);
  if (result.ok) throw new Error(`${channel} unexpectedly succeeded`);
  return result.error;
}

async function publicKey(core: AppCore): Promise<string> {
  const status = await call(core, 'app.status', {});
  if (!status.delegatePublicKey) throw new Error('the delegate has no public key');
  return status.delegatePublicKey;
}

export async function createVault(core: AppCore, passphrase = PASSPHRASE): Promise<void> {
  await call(core, 'vault.create', { sealedPassphrase: await sealValues(await publicKey(core), sealBindings.vaultCreate(), [passphrase]) });
}

export async function sealedUnlock(core: AppCore, passphrase = PASSPHRASE) {
  return { sealedPassphrase: await sealValues(await publicKey(core), sealBindings.vaultUnlock(), [passphrase]) };
}

export async function createSecret(core: AppCore, name: string, value: string, description?: string) {
  const sealedValue = await sealValues(await publicKey(core), sealBindings.secretCreate([name]), [value]);
  return call(core, 'secrets.create', { name, description, sealedValue });
}

export async function updateValue(core: AppCore, id: string, value: string) {
  const sealedValue = await sealValues(await publicKey(core), sealBindings.secretUpdate(id), [value]);
  return call(core, 'secrets.update', { id, sealedValue });
}

export async function reveal(core: AppCore, id: string): Promise<string> {
  const recipient = await createSealRecipient();
  const { sealed } = await call(core, 'secrets.reveal', { id, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
  const [value] = await recipient.open(sealed, sealBindings.secretReveal([id]));
  return value!;
}
