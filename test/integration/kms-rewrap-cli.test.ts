/**
 * `strongroom manager health` and `strongroom manager rewrap` as an admin runs
 * them, against the AWS KMS and Cloud KMS emulators: the key is rotated
 * through the provider's own API, health names the old version as still
 * needed, rewrap moves every wrapped key, health then lists only the new
 * version, and every secret reveals (for Cloud KMS with the old version
 * disabled). Ctrl+C (SIGINT) stops a rewrap after the key in flight, exit
 * 130, and running it again finishes it. Then crash trials: the command itself (main) is killed with
 * SIGKILL when a random number of wrapped keys has moved, and the next
 * rewrap resumes; afterwards every key is under the current version and
 * every secret reveals its original value.
 *
 * STRONGROOM_CRASH_TRIALS (default 20 here) scales the trials down, as for
 * the migration crash test; .ci/run sets a few.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyVersionUse } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import { rotateAwsKey, rotateGcpKey } from '../fixtures/kms-rotation.js';
import { runNodeScript, type ScriptOutcome } from '../fixtures/process-tools.js';
import { CLI_ENTRY, PASSPHRASE, call, queryStore, requireBuild, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { revealMany } from './managers-harness.js';

const TRIALS = Number(process.env.STRONGROOM_CRASH_TRIALS ?? 20);
/** An intermediate key seals at most 1,000 data keys: 2,100 secrets make three, so a rewrap has three steps to be killed between. */
const AWS_SECRETS = 2100;
const GCP_SECRETS = 40;
/** Per KMS request during the trials, so the kill can land between two committed keys. */
const TRIAL_LATENCY_MS = 150;

let dir: ReturnType<typeof tempDir>;
let aws: AwsEmulator;
let gcp: GcpKmsEmulator;
const values = new Map<string, string>();
const dataDir = () => join(dir.path, 'store');
const passphraseFile = () => join(dir.path, 'passphrase');
/** Trials whose kill landed while the command was still working. */
let killed = 0;

function cli(args: string[]): Promise<ScriptOutcome> {
  return runNodeScript(CLI_ENTRY, ['--data-dir', dataDir(), '--passphrase-file', passphraseFile(), ...args]);
}

async function ok(args: string[]): Promise<ScriptOutcome> {
  const result = await cli(args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

const query = <T>(sql: string, ...params: unknown[]): T[] => queryStore<T>(dataDir(), sql, ...params);

const managerId = (name: string) => query<{ id: string }>('SELECT id FROM managers WHERE name = ?', name)[0]!.id;
const wrapsOf = (name: string) =>
  query<{ kms_key_version: string; n: number }>('SELECT kms_key_version, COUNT(*) AS n FROM intermediate_keys WHERE manager_id = ? GROUP BY kms_key_version', managerId(name));

async function health(name: string): Promise<KeyVersionUse[]> {
  return (JSON.parse((await ok(['manager', 'health', name, '--json'])).stdout) as { keyVersions: KeyVersionUse[] }).keyVersions;
}

/** Imports `count` text secrets into manager `name` with one command, and remembers their values. */
async function importInto(name: string, prefix: string, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => {
    const value = `${prefix}-${i}-${randomBytes(9).toString('base64url')}`;
    values.set(`${prefix}_${i}`, value);
    return `${prefix}_${i}=${value}`;
  });
  const file = join(dir.path, `${prefix}.env`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  await ok(['import', '--from', file, '--manager', name]);
}

/** Every secret reveals its original value, in a fresh core and delegate that open the store from the file. */
async function everySecretReveals(): Promise<void> {
  const rows = query<{ id: string; name: string }>('SELECT id, name FROM secrets');
  expect(rows.length).toBe(values.size);
  const core = await startCore(dataDir());
  try {
    await call(core, 'vault.unlock', await sealedUnlock(core));
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500);
      const revealed = await revealMany(
        core,
        batch.map((row) => row.id),
      );
      batch.forEach((row, i) => expect(revealed[i], row.name).toBe(values.get(row.name)));
    }
  } finally {
    await core.close();
  }
}

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  [aws, gcp] = await Promise.all([startAwsEmulator(), startGcpKmsEmulator()]);
  writeFileSync(passphraseFile(), `${PASSPHRASE}\n`, { mode: 0o600 });
  const awsConfig = join(dir.path, 'aws.json');
  const gcpConfig = join(dir.path, 'gcp.json');
  writeFileSync(awsConfig, JSON.stringify({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn }));
  writeFileSync(
    gcpConfig,
    JSON.stringify({ projectId: gcp.projectId, location: gcp.location, keyRing: gcp.keyRing, keyName: gcp.keyName, endpoint: gcp.endpoint, serviceAccount: gcp.serviceAccount }),
  );
  await ok(['init']);
  await ok(['manager', 'add', '--name', 'aws', '--kind', 'aws-kms', '--config', awsConfig]);
  await ok(['manager', 'add', '--name', 'gcp', '--kind', 'gcp-kms', '--config', gcpConfig]);
  await importInto('aws', 'AWS', AWS_SECRETS);
  await importInto('gcp', 'GCP', GCP_SECRETS);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([aws?.close(), gcp?.close()]);
  dir?.remove();
});

describe('manager health and manager rewrap (CLI)', () => {
  it('Cloud KMS: health names the old version as needed; rewrap moves every key; with the old version disabled every secret reveals', async () => {
    const first = `${gcp.keyResourceName}/cryptoKeyVersions/1`;
    expect(await health('gcp')).toEqual([{ keyVersion: first, intermediateKeys: 1, secrets: GCP_SECRETS, current: true }]);

    const second = await rotateGcpKey(gcp);
    // The connection test learns which version new wraps use: the old one is still needed, and no longer current.
    await ok(['manager', 'test', 'gcp']);
    expect(await health('gcp')).toEqual([{ keyVersion: first, intermediateKeys: 1, secrets: GCP_SECRETS, current: false }]);
    const text = await ok(['manager', 'health', 'gcp']);
    expect(text.stderr + text.stdout).toContain('Key versions in use (do not destroy one while secrets need it):');
    expect(text.stderr + text.stdout).toContain(`${first}: ${GCP_SECRETS} secret(s), 1 wrapped key(s) (old: "strongroom manager rewrap" moves its keys to the current one)`);

    const rewrap = await ok(['manager', 'rewrap', 'gcp']);
    // Piped: the outcome is said, with no progress bar drawn.
    expect(rewrap.stderr).toContain(`Finished: 1 wrapped key(s) of "gcp" re-wrapped under ${second}.`);
    expect(rewrap.stderr).not.toContain('\r');
    expect(await health('gcp')).toEqual([{ keyVersion: second, intermediateKeys: 1, secrets: GCP_SECRETS, current: true }]);

    gcp.setVersionState(first, 'DISABLED');
    await everySecretReveals();
    // Run again: nothing left to move.
    expect(JSON.parse((await ok(['manager', 'rewrap', 'gcp', '--json'])).stdout)).toMatchObject({ keyVersion: second, rewrapped: 0, resumed: false });
  }, 300_000);

  it('AWS KMS: after RotateKeyOnDemand, rewrap moves all three wrapped keys and health lists only the new key material', async () => {
    const [before] = wrapsOf('aws');
    expect(before).toMatchObject({ n: 3 });
    expect(await health('aws')).toEqual([{ keyVersion: before!.kms_key_version, intermediateKeys: 3, secrets: AWS_SECRETS, current: true }]);

    const current = await rotateAwsKey(aws);
    const report = JSON.parse((await ok(['manager', 'rewrap', 'aws', '--json'])).stdout) as { keyVersion: string; rewrapped: number; keyVersions: KeyVersionUse[] };
    expect(report).toMatchObject({ keyVersion: current, rewrapped: 3, resumed: false });
    expect(report.keyVersions).toEqual([{ keyVersion: current, intermediateKeys: 3, secrets: AWS_SECRETS, current: true }]);
    expect(await health('aws')).toEqual(report.keyVersions);
    expect(wrapsOf('aws')).toEqual([{ kms_key_version: current, n: 3 }]);
    await everySecretReveals();
  }, 300_000);

  it('refuses a manager whose keys do not rotate, with exit 1', async () => {
    const result = await cli(['manager', 'rewrap', 'local']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('only AWS KMS and Cloud KMS managers have keys to re-wrap');
  });
});

describe('manager rewrap stopped by Ctrl+C', () => {
  it('stops after the key in flight, says how far it got and how it resumes, exits 130; every secret reveals and running it again finishes', async () => {
    const current = await rotateAwsKey(aws);
    let moved = 0;
    aws.setFaults({ latencyMs: TRIAL_LATENCY_MS });
    try {
      const child = spawn(process.execPath, [CLI_ENTRY, '--data-dir', dataDir(), '--passphrase-file', passphraseFile(), 'manager', 'rewrap', 'aws']);
      let stderr = '';
      child.stdout.resume();
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Ctrl+C once the first of the three keys has moved: SIGINT to the command, as a terminal sends it (its delegate ignores its own).
      while ((wrapsOf('aws').find((row) => row.kms_key_version === current)?.n ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(child.pid!, 'SIGINT');
      expect(await exited, stderr).toBe(130);
      const stopped =
        /Stopped the re-wrap of "aws" after (\d) of 3 keys, between batches: every secret still opens\. It stays journaled and finishes by itself at the next unlock of the app or a session \("strongroom unlock"\), or run "strongroom manager rewrap aws" again\./.exec(
          stderr,
        );
      expect(stopped, stderr).not.toBeNull();
      moved = Number(stopped![1]);
      expect(moved).toBeGreaterThanOrEqual(1);
      expect(moved).toBeLessThan(3);
      expect(wrapsOf('aws').find((row) => row.kms_key_version === current)?.n).toBe(moved);
      expect(query("SELECT key FROM meta WHERE key LIKE 'kms.rewrap.%'")).toHaveLength(1);
    } finally {
      aws.setFaults({});
    }
    // Run again (a command's own core resumes nothing at unlock; the app's would): it finishes what was left.
    const resumed = await ok(['manager', 'rewrap', 'aws']);
    expect(resumed.stderr).toContain(`Resumed and finished: ${3 - moved} wrapped key(s) of "aws"`);
    expect(wrapsOf('aws')).toEqual([{ kms_key_version: current, n: 3 }]);
    expect(query("SELECT key FROM meta WHERE key LIKE 'kms.rewrap.%'")).toEqual([]);
    await everySecretReveals();
  }, 600_000);
});

/** The command's children: its delegate. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Rotates the AWS key, runs `manager rewrap aws`, kills the command when a random number of keys has moved, and resumes. */
async function trial(): Promise<void> {
  const current = await rotateAwsKey(aws);
  const child = spawn(process.execPath, [CLI_ENTRY, '--data-dir', dataDir(), '--passphrase-file', passphraseFile(), 'manager', 'rewrap', 'aws']);
  child.stdout.resume();
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  // 0: before or while it asks KMS for the current version, or as the first key is sent.
  const progress = randomInt(0, 3);
  let delegates: number[] = [];
  for (;;) {
    if (done) break;
    delegates = [...new Set([...delegates, ...childrenOf(child.pid!)])];
    const moved = wrapsOf('aws').find((row) => row.kms_key_version === current)?.n ?? 0;
    if (moved >= progress) {
      if (!done) {
        process.kill(child.pid!, 'SIGKILL');
        killed++;
      }
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await exited;
  // The delegate ends once its parent's channel closes; one still running is stopped here, by its pid.
  for (const pid of delegates) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const resumed = await ok(['manager', 'rewrap', 'aws']);
  expect(resumed.stderr).toMatch(new RegExp(`(Finished|Resumed and finished): \\d wrapped key\\(s\\) of "aws" re-wrapped under ${current.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));
  expect(wrapsOf('aws')).toEqual([{ kms_key_version: current, n: 3 }]);
  expect(query("SELECT key FROM meta WHERE key LIKE 'kms.rewrap.%'")).toEqual([]);
}

describe('manager rewrap crash trials: kill -9 of the command', () => {
  it(`resumes after ${TRIALS} kills at random points; every key ends under the current version and every secret reveals`, async () => {
    aws.setFaults({ latencyMs: TRIAL_LATENCY_MS });
    try {
      for (let i = 0; i < TRIALS; i++) await trial();
    } finally {
      aws.setFaults({});
    }
    // Kills that land after the command finished prove nothing; most must land while it works.
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 2));
    expect(await health('aws')).toEqual([{ keyVersion: wrapsOf('aws')[0]!.kms_key_version, intermediateKeys: 3, secrets: AWS_SECRETS, current: true }]);
    await everySecretReveals();
    const audit = await ok(['audit', 'verify']);
    expect(audit.stderr + audit.stdout).toMatch(/intact/i);
  }, 1_800_000);
});
