/**
 * The `strongroom migrate` command as a script uses it, and crash trials: a
 * migration of many secrets between the built-in store and Vault, killed with
 * SIGKILL (the command itself, and separately its delegate) when a random
 * number of items has progressed, then resumed. After every trial each
 * secret reveals its original value, and every value under the Vault base
 * path belongs to a secret or to a journal entry that owns it.
 *
 * STRONGROOM_CRASH_TRIALS (default 50 per kind of kill) and
 * STRONGROOM_CRASH_SECRETS (default 1,000) scale it down; .ci/run sets
 * fewer trials so CI stays fast.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { runNodeScript, type ScriptOutcome } from '../fixtures/process-tools.js';
import { CLI_ENTRY, PASSPHRASE, call, createVault, queryStore, requireBuild, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createManyIn, revealMany } from './managers-harness.js';

const TRIALS = Number(process.env.STRONGROOM_CRASH_TRIALS ?? 50);
const SECRETS = Number(process.env.STRONGROOM_CRASH_SECRETS ?? 1000);
/** Trials whose kill landed while the command was still working. */
const killed = { main: 0, delegate: 0 };

let dir: ReturnType<typeof tempDir>;
let vault: VaultEmulator;
let vaultId = '';
const basePath = `strongroom/crash-${randomBytes(3).toString('hex')}`;
const values = new Map<string, string>();
const dataDir = () => join(dir.path, 'store');
const passphraseFile = () => join(dir.path, 'passphrase');

/** Runs the command without blocking this process: the Vault emulator answers from here. */
function cli(args: string[]): Promise<ScriptOutcome> {
  return runNodeScript(CLI_ENTRY, ['--data-dir', dataDir(), '--passphrase-file', passphraseFile(), ...args]);
}

const query = <T>(sql: string, ...params: unknown[]): T[] => queryStore<T>(dataDir(), sql, ...params);

async function withCore<T>(work: (core: AppCore) => Promise<T>): Promise<T> {
  const core = await startCore(dataDir());
  try {
    await call(core, 'vault.unlock', await sealedUnlock(core));
    return await work(core);
  } finally {
    await core.close();
  }
}

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  writeFileSync(passphraseFile(), `${PASSPHRASE}\n`, { mode: 0o600 });
  vault = await startVaultEmulator();
  const core = await startCore(dataDir());
  try {
    await createVault(core);
    vaultId = (await addManager(core, 'crash-vault', 'vault', { ...vaultConfig(vault), basePath })).id;
    for (let start = 0; start < SECRETS; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, SECRETS - start) }, (_, i) => ({
        name: `crash-${start + i}`,
        value: `${randomBytes(16).toString('base64')}\u00e9${start + i}`,
      }));
      const created = await createManyIn(core, batch);
      created.forEach((secret, i) => values.set(secret.id, batch[i]!.value));
    }
  } finally {
    await core.close();
  }
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([vault?.close()]);
  dir?.remove();
});

/** The delegate is the command's one child process. */
function childOf(pid: number): number | null {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length ? Number(children[0]) : null;
  } catch {
    return null;
  }
}

async function vaultKeys(): Promise<string[]> {
  const response = await fetch(`${vault.endpoint}/v1/secret/metadata/${basePath}/?list=true`, { headers: { 'X-Vault-Token': vault.credentials.rootToken } });
  if (response.status === 404) return [];
  return ((await response.json()) as { data: { keys: string[] } }).data.keys;
}

/**
 * Every secret reveals its original value, from the manager the last run moved it to; every value in Vault is
 * owned: it is a secret's, or an entry of the journal of remote writes names it (a create journaled before it was made).
 */
async function checkNothingLost(expectedManager: string): Promise<void> {
  const ids = [...values.keys()];
  await withCore(async (core) => {
    for (let start = 0; start < ids.length; start += 500) {
      const batch = ids.slice(start, start + 500);
      const revealed = await revealMany(core, batch);
      batch.forEach((id, i) => expect(revealed[i], `secret ${id}`).toBe(values.get(id)));
    }
  });
  const managers = query<{ manager_id: string; n: number }>('SELECT manager_id, COUNT(*) AS n FROM secrets GROUP BY manager_id');
  expect(managers).toEqual([{ manager_id: expectedManager, n: values.size }]);
  const owned = new Set<string>([
    ...query<{ remote_name: string }>('SELECT remote_name FROM secrets WHERE manager_id = ? AND remote_name IS NOT NULL', vaultId).map((row) => row.remote_name),
    ...query<{ remote_name: string }>('SELECT remote_name FROM remote_writes WHERE manager_id = ?', vaultId).map((row) => row.remote_name),
  ]);
  const orphans = (await vaultKeys()).filter((key) => !owned.has(key));
  expect(orphans).toEqual([]);
  // A finished run settles every create it journaled: none is left pending.
  expect(query("SELECT remote_name FROM remote_writes WHERE state = 'pending'")).toEqual([]);
}

/** Runs one migration in the direction the secrets can go now, kills `what` once `progress` items have moved on, and resumes. */
async function trial(what: 'main' | 'delegate'): Promise<void> {
  const inVault = query<{ n: number }>('SELECT COUNT(*) AS n FROM secrets WHERE manager_id = ?', vaultId)[0]!.n > 0;
  const [from, to] = inVault ? [vaultId, 'local'] : ['local', vaultId];
  const earlier = new Set(query<{ id: string }>('SELECT id FROM migration_runs').map((row) => row.id));
  const newRun = () => query<{ id: string; state: string }>('SELECT id, state FROM migration_runs ORDER BY rowid DESC LIMIT 1').find((row) => !earlier.has(row.id));
  const child = spawn(process.execPath, [
    CLI_ENTRY,
    '--data-dir',
    dataDir(),
    '--passphrase-file',
    passphraseFile(),
    'migrate',
    '--from',
    from,
    '--to',
    to,
    ...(inVault ? ['--delete-source'] : []),
  ]);
  child.stdout.resume();
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  // Kill when a random number of items has left "planned" (0: during planning or the first writes).
  const progress = randomInt(0, values.size);
  for (;;) {
    if (done) break;
    const started = newRun();
    const moved = started ? query<{ n: number }>("SELECT COUNT(*) AS n FROM migration_items WHERE run_id = ? AND state <> 'planned'", started.id)[0]!.n : -1;
    if (moved >= progress) {
      const victim = what === 'main' ? child.pid! : childOf(child.pid!);
      if (victim && !done) {
        process.kill(victim, 'SIGKILL');
        killed[what]++;
      }
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await exited;
  const run = newRun();
  if (!run) {
    // Killed before the plan was stored: nothing changed; the whole command runs again.
    const again = await cli(['migrate', '--from', from, '--to', to, ...(inVault ? ['--delete-source'] : [])]);
    expect(again.code, again.stderr).toBe(0);
  } else if (run.state !== 'finished') {
    const resumed = await cli(['migrate', 'resume', run.id]);
    expect(resumed.code, resumed.stderr).toBe(0);
  }
  await checkNothingLost(to);
}

describe('strongroom migrate', () => {
  it('dry run, run, status, report and exit codes', async () => {
    const dry = await cli(['migrate', '--from', 'local', '--to', 'crash-vault', '--secret', 'crash-0', '--secret', 'crash-1', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const preview = JSON.parse(dry.stdout) as { items: { name: string; outcome: string }[] };
    expect(preview.items.map((item) => [item.name, item.outcome])).toEqual([
      ['crash-0', 'move'],
      ['crash-1', 'move'],
    ]);
    expect(query("SELECT manager_id FROM secrets WHERE name = 'crash-0'")).toEqual([{ manager_id: 'local' }]);

    const moved = await cli(['migrate', '--from', 'local', '--to', 'crash-vault', '--secret', 'crash-0', '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    const { run, items } = JSON.parse(moved.stdout) as { run: { id: string; state: string; done: number }; items: { outcome: string }[] };
    expect(run).toMatchObject({ state: 'finished', done: 1 });
    expect(items).toEqual([expect.objectContaining({ outcome: 'moved' })]);
    // No progress bar when stdout is not a terminal.
    expect(moved.stderr).not.toContain('[#');

    const status = await cli(['migrate', 'status', run.id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: run.id, state: 'finished', total: 1, done: 1 });
    expect((await cli(['migrate', 'status'])).stdout).toContain(`${run.id}\tfinished\t1/1 moved`);
    const csv = await cli(['migrate', 'report', run.id]);
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual(['name,outcome,target_name,state,reason,detail,updated_at', expect.stringMatching(/^crash-0,moved,crash-0,switched,,,/)]);
    expect(JSON.parse((await cli(['migrate', 'report', run.id, '--format', 'json'])).stdout)).toEqual([expect.objectContaining({ name: 'crash-0', outcome: 'moved' })]);

    // Back, so the trials start from the built-in store; a name moved back is not "taken": Strongroom wrote it.
    const back = await cli(['migrate', '--from', 'crash-vault', '--to', 'local', '--delete-source']);
    expect(back.code, back.stderr).toBe(0);
    expect((await cli(['migrate', '--from', 'local'])).code).toBe(2);
    expect((await cli(['migrate', '--from', 'local', '--to', 'crash-vault', '--concurrency', 'many'])).code).toBe(2);
    expect((await cli(['migrate', 'resume', run.id])).code).toBe(1);
    await checkNothingLost('local');
  }, 120_000);

  it('migrate rate: the published quota, a stored rate, and back; --filter', async () => {
    const stored = await cli(['migrate', 'rate', 'crash-vault', '--set', '250', '--json']);
    expect(stored.code, stored.stderr).toBe(0);
    // Vault publishes no quota: only the stored rate bounds it.
    expect(JSON.parse(stored.stdout)).toEqual([expect.objectContaining({ name: 'crash-vault', kind: 'vault', published: null, ratePerSecond: 250 })]);
    const listed = await cli(['migrate', 'rate']);
    expect(listed.stdout).toContain('crash-vault\t250/s (stored; published: no published quota)');
    expect((await cli(['migrate', 'rate', '--default'])).code).toBe(2);
    expect((await cli(['migrate', 'rate', 'crash-vault', '--set', 'fast'])).code).toBe(2);
    // --filter selects with the secret list's name search.
    const filtered = await cli(['migrate', '--from', 'local', '--to', 'crash-vault', '--filter', 'crash-99', '--dry-run', '--json']);
    expect(filtered.code, filtered.stderr).toBe(0);
    const names = (JSON.parse(filtered.stdout) as { items: { name: string }[] }).items.map((item) => item.name);
    expect(names).toContain('crash-99');
    expect(names.every((name) => name.startsWith('crash-99'))).toBe(true);
    const back = await cli(['migrate', 'rate', 'crash-vault', '--default', '--json']);
    expect(JSON.parse(back.stdout)).toEqual([expect.objectContaining({ name: 'crash-vault', ratePerSecond: null })]);
  }, 120_000);

  it('a create journaled as pending is claimed when its value is the secret\'s, and refused when it is not', async () => {
    const ids = new Map(query<{ id: string; name: string }>("SELECT id, name FROM secrets WHERE name IN ('crash-0', 'crash-1')").map((row) => [row.name, row.id]));
    const vaultApi = (method: string, path: string, body?: unknown) =>
      fetch(`${vault.endpoint}/v1/secret/${path}`, {
        method,
        headers: { 'X-Vault-Token': vault.credentials.rootToken, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    // As a kill right after the remote create leaves it: the create journaled as pending, the value in Vault.
    const db = new BetterSqlite3(join(dataDir(), 'strongroom.db'), { timeout: 5000 });
    try {
      const pending = db.prepare("INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, created_at) VALUES (?, ?, ?, 'create', 'pending', ?)");
      pending.run(vaultId, ids.get('crash-0'), 'crash-0', new Date().toISOString());
      pending.run(vaultId, ids.get('crash-1'), 'crash-1', new Date().toISOString());
    } finally {
      db.close();
    }
    expect((await vaultApi('POST', `data/${basePath}/crash-0`, { data: { value: values.get(ids.get('crash-0')!) } })).ok).toBe(true);
    // Someone else's value under the other name: not one crash-1 ever had.
    expect((await vaultApi('POST', `data/${basePath}/crash-1`, { data: { value: 'written by someone else' } })).ok).toBe(true);

    const moved = await cli(['migrate', '--from', 'local', '--to', 'crash-vault', '--secret', 'crash-0', '--secret', 'crash-1', '--json']);
    expect(moved.code, moved.stderr).toBe(1);
    const { items } = JSON.parse(moved.stdout) as { items: { name: string; outcome: string; reason: string | null }[] };
    expect(items.map((item) => [item.name, item.outcome, item.reason])).toEqual([
      ['crash-0', 'moved', null],
      ['crash-1', 'failed', 'name-taken'],
    ]);
    const foreign = (await (await vaultApi('GET', `data/${basePath}/crash-1`)).json()) as { data: { data: { value: string } } };
    expect(foreign.data.data.value).toBe('written by someone else');
    // The claimed value and the copy on top are both Strongroom's; the refused create owns nothing.
    expect(query("SELECT remote_name, mode, state FROM remote_writes WHERE manager_id = ? ORDER BY id", vaultId)).toEqual([
      { remote_name: 'crash-0', mode: 'create', state: 'written' },
      { remote_name: 'crash-0', mode: 'overwrite', state: 'written' },
    ]);

    // Moving back removes every version of crash-0 from Vault, the claimed one included; crash-1's stays.
    const back = await cli(['migrate', '--from', 'crash-vault', '--to', 'local', '--delete-source']);
    expect(back.code, back.stderr).toBe(0);
    expect(await vaultKeys()).toEqual(['crash-1']);
    expect((await vaultApi('DELETE', `metadata/${basePath}/crash-1`)).ok).toBe(true);
    await checkNothingLost('local');
  }, 120_000);

  it(`survives kill -9 of the command at random points (${TRIALS} trials, ${SECRETS} secrets)`, async () => {
    for (let i = 0; i < TRIALS; i++) await trial('main');
    expect(killed.main).toBeGreaterThan(0);
  }, 600_000 + TRIALS * 120_000);

  it(`survives kill -9 of the delegate at random points (${TRIALS} trials, ${SECRETS} secrets)`, async () => {
    for (let i = 0; i < TRIALS; i++) await trial('delegate');
    expect(killed.delegate).toBeGreaterThan(0);
    await withCore(async (core) => expect((await call(core, 'audit.verify', {})).intact).toBe(true));
  }, 600_000 + TRIALS * 120_000);
});
