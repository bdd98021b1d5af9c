/**
 * A CLI command without a session has its delegate derive the key while the core loads (prepareUnlock):
 * with a real delegate process and a real store, the unlock that follows takes that key only when its
 * passphrase is the one prepared, and a wrong passphrase is refused and counted as before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { delegateLaunch } from '../../src-main/core/delegate/delegate-channel.js';
import { forkDelegateEarly } from '../../src-main/core/delegate/node-delegate-channel.js';
import { readKeyringKdf } from '../../src-main/core/store/keyring-kdf.js';
import { DELEGATE_ENTRY, PASSPHRASE, callError, createSecret, createVault, reveal, runCliSync, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';

const WRONG = 'not the passphrase of this store';

/** The `derivedAhead` figure of each unlock the delegate logged in this data folder, oldest first. */
function derivedAhead(dataDir: string): number[] {
  return readFileSync(join(dataDir, 'logs', 'delegate.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { message: string; derivedAhead?: number })
    .filter((entry) => entry.message === 'unlocked')
    .map((entry) => entry.derivedAhead ?? -1);
}

describe('an unlock prepared ahead by the early delegate', () => {
  const dir = tempDir();
  let secretId: string;

  beforeAll(async () => {
    const core = await startCore(dir.path);
    await createVault(core);
    secretId = (await createSecret(core, 'prepared', 'value behind a prepared unlock')).id;
    await core.close();
  });
  afterAll(() => dir.remove());

  /** A core whose delegate was forked early and sent `prepared` as the passphrase, as the CLI does. */
  async function coreWithPrepared(prepared: string): Promise<AppCore> {
    const early = forkDelegateEarly(delegateLaunch(DELEGATE_ENTRY, join(dir.path, 'logs')));
    const kdf = await readKeyringKdf(dir.path);
    expect(kdf).toHaveLength(1);
    await early.prepareUnlock(prepared, kdf);
    return startCore(dir.path, { spawnDelegate: early.spawn });
  }

  it('uses the key derived ahead for the same passphrase', async () => {
    const core = await coreWithPrepared(PASSPHRASE);
    try {
      const before = derivedAhead(dir.path).length;
      const unlocked = await core.handle('vault.unlock', await sealedUnlock(core));
      expect(unlocked.ok).toBe(true);
      expect(derivedAhead(dir.path).slice(before)).toEqual([1]);
      expect(await reveal(core, secretId)).toBe('value behind a prepared unlock');
    } finally {
      await core.close();
    }
  });

  it('derives afresh when another passphrase was prepared, and still unlocks', async () => {
    const core = await coreWithPrepared(WRONG);
    try {
      const before = derivedAhead(dir.path).length;
      expect((await core.handle('vault.unlock', await sealedUnlock(core))).ok).toBe(true);
      expect(derivedAhead(dir.path).slice(before)).toEqual([0]);
    } finally {
      await core.close();
    }
  });

  it('refuses a wrong passphrase though the right one was prepared, and counts the attempt', async () => {
    const core = await coreWithPrepared(PASSPHRASE);
    try {
      const refused = await callError(core, 'vault.unlock', await sealedUnlock(core, WRONG));
      expect(refused.code).toBe('WRONG_PASSPHRASE');
      expect(refused.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await core.close();
    }
  });
});

describe('a CLI command with a passphrase file', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('has its delegate derive the key ahead of the unlock', async () => {
    const passphraseFile = join(dir.path, 'passphrase');
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    const store = join(dir.path, 'store');
    expect(runCliSync(store, passphraseFile, ['init']).code).toBe(0);
    expect(runCliSync(store, passphraseFile, ['secret', 'create', '--name', 'cli_value'], 'from the cli').code).toBe(0);
    const revealed = runCliSync(store, passphraseFile, ['secret', 'reveal', 'cli_value']);
    expect(revealed).toMatchObject({ code: 0, stdout: 'from the cli' });
    // init creates the store (no unlock); create and reveal each unlock with the key derived ahead.
    expect(derivedAhead(store)).toEqual([1, 1]);
  });
});
