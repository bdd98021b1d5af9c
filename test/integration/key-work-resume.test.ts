/**
 * Key work left interrupted resumes by itself after the next unlock
 * (key-work-resume.ts): a master key rotation and a KMS re-wrap whose
 * delegate was killed with SIGKILL finish once the app's core unlocks again,
 * announced by `keys.resumed` and kept in `keys.status`; a resume the store
 * locked during waits for the next unlock and finishes then; and a
 * `strongroom keyring rotate` killed with SIGKILL is reported by `strongroom
 * status` on the locked store, then finishes in the session agent `strongroom
 * unlock` starts. Every secret reveals afterwards.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues, type AppEvent, type KeyWork } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { rotateAwsKey } from '../fixtures/kms-rotation.js';
import { runNodeScript, type ScriptOutcome } from '../fixtures/process-tools.js';
import { CLI_ENTRY, PASSPHRASE, call, callError, createVault, queryStore, requireBuild, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createManyIn, delegateKey, revealMany } from './managers-harness.js';

type Resumed = Extract<AppEvent, { type: 'keys.resumed' }>;

async function everyValueReveals(core: AppCore, values: Map<string, string>): Promise<void> {
  const ids = [...values.keys()];
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    const revealed = await revealMany(core, batch);
    batch.forEach((id, i) => expect(revealed[i]).toBe(values.get(id)));
  }
}

describe('after an unlock, the app finishes key work a crash interrupted', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: AppCore;
  let aws: AwsEmulator;
  let awsId: string;
  /** When set, the delegate is killed when main sends it this operation. */
  let killOn: string | null = null;
  /** When set, the store is locked (as by the user) when main sends the delegate this operation. */
  let lockOn: string | null = null;
  let lockedMeanwhile: Promise<unknown> | null = null;
  const announced: Resumed[] = [];
  const values = new Map<string, string>();
  const store = () => join(dir.path, 'store');
  const keyWork = async (work: Resumed['work']) => (await call(core, 'keys.status', {})).items.filter((item) => item.work === work);

  /** Waits for the announcement that `work` ended (finished or failed). */
  const ended = (work: Resumed['work']) =>
    new Promise<Resumed>((resolve) => {
      const stop = core.onEvent((event) => {
        if (event.type === 'keys.resumed' && event.work === work && event.state !== 'started') {
          stop();
          resolve(event);
        }
      });
    });

  beforeAll(async () => {
    dir = tempDir();
    aws = await startAwsEmulator();
    core = await startCore(join(dir.path, 'store'), {
      onDelegateTraffic: (direction, message) => {
        const op = (message as { request?: { op?: string } }).request?.op;
        if (direction === 'to-delegate' && killOn !== null && op === killOn && core.delegatePid) {
          killOn = null;
          process.kill(core.delegatePid, 'SIGKILL');
        }
        if (direction === 'to-delegate' && lockOn !== null && op === lockOn) {
          lockOn = null;
          lockedMeanwhile = call(core, 'vault.lock', {});
        }
      },
    });
    core.onEvent((event) => {
      if (event.type === 'keys.resumed') announced.push(event);
    });
    await createVault(core);
    awsId = (await addManager(core, 'aws', 'aws-kms', { region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn })).id;
    const local = Array.from({ length: 40 }, (_, i) => ({ name: `local-${i}`, value: `local value ${i} \u00e9` }));
    (await createManyIn(core, local)).forEach((secret, i) => values.set(secret.id, local[i]!.value));
    const inKms = Array.from({ length: 20 }, (_, i) => ({ name: `kms-${i}`, value: `kms value ${i}` }));
    (await createManyIn(core, inKms, awsId)).forEach((secret, i) => values.set(secret.id, inKms[i]!.value));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([core?.close()]);
    await Promise.allSettled([aws?.close()]);
    dir?.remove();
  });

  it('a master key rotation killed with its delegate finishes after the next unlock, with no passphrase asked', async () => {
    killOn = 'keyring.rewrap';
    const sealedPassphrase = await sealValues(await delegateKey(core), sealBindings.keyringRotate(), [PASSPHRASE]);
    expect(['DELEGATE_UNAVAILABLE', 'LOCKED']).toContain((await callError(core, 'keyring.rotate', { sealedPassphrase })).code);
    expect(queryStore(store(), 'SELECT version FROM keyring ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);
    expect(queryStore(store(), "SELECT key FROM meta WHERE key = 'keyring.rotation'")).toHaveLength(1);
    // Locked (the delegate died): the status says the rotation waits, without any key.
    expect(await keyWork('keyring.rotate')).toEqual([
      expect.objectContaining({ state: 'waiting', managerId: null, message: expect.stringContaining('will finish at the next unlock') }),
    ]);

    announced.length = 0;
    const finished = ended('keyring.rotate');
    await call(core, 'vault.unlock', await sealedUnlock(core));
    // Reveals go on while it resumes.
    await everyValueReveals(core, values);
    expect(await finished).toMatchObject({ state: 'finished', managerId: null, message: expect.stringContaining('Finished the interrupted master key rotation to version 2') });
    expect(announced.map((event) => event.state)).toEqual(['started', 'finished']);
    expect(queryStore(store(), 'SELECT version FROM keyring')).toEqual([{ version: 2 }]);
    expect(queryStore(store(), 'SELECT DISTINCT keyring_version AS v FROM secret_versions')).toEqual([{ v: 2 }]);
    expect(queryStore(store(), "SELECT key FROM meta WHERE key = 'keyring.rotation'")).toEqual([]);
    expect(await keyWork('keyring.rotate')).toEqual([
      expect.objectContaining({ state: 'finished', resumed: true, progress: null, message: expect.stringContaining('Finished the interrupted master key rotation to version 2') }),
    ]);
    await everyValueReveals(core, values);
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  }, 120_000);

  it('a KMS re-wrap killed with its delegate finishes after the next unlock', async () => {
    const current = await rotateAwsKey(aws);
    killOn = 'manager.rewrap';
    expect(['DELEGATE_UNAVAILABLE', 'LOCKED']).toContain((await callError(core, 'managers.rewrap', { id: awsId })).code);
    expect(queryStore(store(), 'SELECT kms_key_version AS v FROM intermediate_keys WHERE manager_id = ?', awsId)).not.toEqual([{ v: current }]);

    announced.length = 0;
    const finished = ended('managers.rewrap');
    await call(core, 'vault.unlock', await sealedUnlock(core));
    expect(await finished).toMatchObject({ state: 'finished', managerId: awsId, message: `Finished the interrupted re-wrap of "aws": 1 wrapped key(s) now under ${current}.` });
    expect(queryStore(store(), 'SELECT kms_key_version AS v FROM intermediate_keys WHERE manager_id = ?', awsId)).toEqual([{ v: current }]);
    const manager = (await call(core, 'managers.list', {})).items.find((item) => item.id === awsId)!;
    expect(manager.health.keyVersions).toEqual([{ keyVersion: current, intermediateKeys: 1, secrets: 20, current: true }]);
    expect(await keyWork('managers.rewrap')).toEqual([expect.objectContaining({ state: 'finished', managerId: awsId, managerName: 'aws', resumed: true })]);
    await everyValueReveals(core, values);
  }, 120_000);

  it('a resume the store is locked during waits, says so, and finishes at the unlock after', async () => {
    // Three batches of data keys, so the lock lands while batches are still to go: the rotation checks it between them.
    for (let start = 0; start < 3000; start += 1000) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({ name: `more-${start + i}`, value: `more value ${start + i}` }));
      (await createManyIn(core, batch)).forEach((secret, i) => values.set(secret.id, batch[i]!.value));
    }
    killOn = 'keyring.rewrap';
    const sealedPassphrase = await sealValues(await delegateKey(core), sealBindings.keyringRotate(), [PASSPHRASE]);
    expect(['DELEGATE_UNAVAILABLE', 'LOCKED']).toContain((await callError(core, 'keyring.rotate', { sealedPassphrase })).code);
    expect(queryStore(store(), "SELECT value FROM meta WHERE key = 'keyring.rotation'")).toEqual([{ value: JSON.stringify({ version: 3 }) }]);

    // Unlocked, the resume starts; the user locks the store as its first re-wrap goes to the delegate.
    announced.length = 0;
    lockOn = 'keyring.rewrap';
    await call(core, 'vault.unlock', await sealedUnlock(core));
    while (lockedMeanwhile === null) await new Promise((resolve) => setTimeout(resolve, 10));
    await lockedMeanwhile;
    // The resume's failure is quiet (no toast over the lock screen) but lasting: the status says it waits for an unlock.
    let waiting = await keyWork('keyring.rotate');
    while (waiting[0]?.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      waiting = await keyWork('keyring.rotate');
    }
    expect(waiting).toEqual([
      expect.objectContaining({ state: 'waiting', resumed: true, message: expect.stringMatching(/^The store locked while the interrupted master key rotation ran; it will finish at the next unlock/) }),
    ]);
    expect(announced.map((event) => event.state)).toEqual(['started']);
    expect(queryStore(store(), "SELECT key FROM meta WHERE key = 'keyring.rotation'")).toHaveLength(1);
    expect((await call(core, 'app.status', {})).unlocked).toBe(false);

    announced.length = 0;
    const finished = ended('keyring.rotate');
    await call(core, 'vault.unlock', await sealedUnlock(core));
    expect(await finished).toMatchObject({ state: 'finished', message: expect.stringMatching(/^Finished the interrupted master key rotation to version 3: [1-9]\d* data key/) });
    expect(announced.map((event) => event.state)).toEqual(['started', 'finished']);
    expect(await keyWork('keyring.rotate')).toEqual([expect.objectContaining({ state: 'finished', resumed: true })]);
    expect(queryStore(store(), 'SELECT version FROM keyring')).toEqual([{ version: 3 }]);
    expect(queryStore(store(), 'SELECT DISTINCT keyring_version AS v FROM secret_versions')).toEqual([{ v: 3 }]);
    await everyValueReveals(core, values);
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  }, 180_000);

  it('an unlock with nothing interrupted announces nothing', async () => {
    announced.length = 0;
    await call(core, 'vault.lock', {});
    await call(core, 'vault.unlock', await sealedUnlock(core));
    // The resume runs on the turn after the unlock's event; a round trip to main comes after it.
    await call(core, 'managers.list', {});
    expect(announced).toEqual([]);
  });
});

describe('the session agent finishes a rotation whose command was killed', () => {
  let dir: ReturnType<typeof tempDir>;
  const SECRETS = 5000;
  const dataDir = () => join(dir.path, 'store');
  const passphraseFile = () => join(dir.path, 'passphrase');
  const store = dataDir;

  const cli = (args: string[]): Promise<ScriptOutcome> => runNodeScript(CLI_ENTRY, ['--data-dir', dataDir(), '--passphrase-file', passphraseFile(), ...args]);

  beforeAll(async () => {
    requireBuild();
    dir = tempDir();
    writeFileSync(passphraseFile(), `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(dir.path, 'many.env'), Array.from({ length: SECRETS }, (_, i) => `MANY_${i}=value-${i}`).join('\n'));
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['import', '--from', join(dir.path, 'many.env')])).code).toBe(0);
  }, 300_000);

  afterAll(async () => {
    // Stops the session agent if a step failed before the test locked it.
    await cli(['lock']).catch(() => undefined);
    dir?.remove();
  });

  it('kill -9 of `keyring rotate` once its new version exists; `unlock` starts a session that finishes it; every secret reveals', async () => {
    const child = spawn(process.execPath, [CLI_ENTRY, '--data-dir', dataDir(), '--passphrase-file', passphraseFile(), 'keyring', 'rotate'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let done = false;
    void exited.then(() => (done = true));
    // Killed as soon as the new version is stored: five batches of data keys are still to go.
    while (!done && queryStore(store(), 'SELECT version FROM keyring WHERE version = 2').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    if (!done) process.kill(child.pid!, 'SIGKILL');
    await exited;
    expect(queryStore(store(), "SELECT key FROM meta WHERE key = 'keyring.rotation'"), 'the kill landed before the rotation finished').toHaveLength(1);

    // No session, the store locked: status reads the journal row from the store file, with no key.
    const locked = await cli(['status']);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('No session is open');
    expect(locked.stderr).toContain('Key work (waiting for an unlock): A master key rotation to version 2 was interrupted and will finish at the next unlock');
    const lockedJson = JSON.parse((await cli(['status', '--json'])).stdout) as { open: boolean; keyWork: KeyWork[] };
    expect(lockedJson).toEqual({ open: false, keyWork: [expect.objectContaining({ work: 'keyring.rotate', state: 'waiting', managerId: null })] });

    expect((await cli(['unlock', '--timeout', '5m'])).code).toBe(0);
    // The agent resumes on its own; this waits for it (the test's timeout bounds the wait).
    while (queryStore(store(), "SELECT key FROM meta WHERE key = 'keyring.rotation'").length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    // The agent's own status, then (locked again) what the store recorded.
    const served = JSON.parse((await cli(['status', '--json'])).stdout) as { open: boolean; keyWork: KeyWork[] };
    expect(served).toMatchObject({ open: true, server: 'agent' });
    expect(served.keyWork).toEqual([expect.objectContaining({ work: 'keyring.rotate', state: 'finished', resumed: true })]);
    expect((await cli(['lock'])).code).toBe(0);
    expect((await cli(['status'])).stderr).toMatch(/Key work \(finished\): Finished the interrupted master key rotation to version 2: \d+ data key\(s\)/);
    expect(queryStore(store(), 'SELECT version FROM keyring')).toEqual([{ version: 2 }]);
    expect(queryStore(store(), 'SELECT DISTINCT keyring_version AS v FROM secret_versions')).toEqual([{ v: 2 }]);

    const core = await startCore(dataDir(), { resumeKeyWork: false });
    try {
      await call(core, 'vault.unlock', await sealedUnlock(core));
      const rows = queryStore<{ id: string; name: string }>(store(), 'SELECT id, name FROM secrets');
      expect(rows).toHaveLength(SECRETS);
      await everyValueReveals(core, new Map(rows.map((row) => [row.id, `value-${row.name.slice('MANY_'.length)}`])));
      expect((await call(core, 'audit.verify', {})).intact).toBe(true);
    } finally {
      await core.close();
    }
  }, 600_000);
});
