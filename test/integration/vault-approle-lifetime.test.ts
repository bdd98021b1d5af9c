/**
 * A Vault AppRole manager through the real core and delegate: one login is
 * shared by every operation while the store is unlocked, and locking revokes
 * the token in Vault instead of leaving it to run out its TTL. The emulator
 * counts logins and knows which login tokens are still valid.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { call, createVault, reveal, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createIn, updateIn } from './managers-harness.js';

let dir: ReturnType<typeof tempDir>;
let core: AppCore;
let vault: VaultEmulator;

beforeAll(async () => {
  dir = tempDir();
  vault = await startVaultEmulator();
  core = await startCore(join(dir.path, 'store'));
  await createVault(core);
});

afterAll(async () => {
  await core?.close();
  await vault?.close();
  dir?.remove();
});

it('logs in once while unlocked, and revokes the AppRole token on lock', async () => {
  const manager = await addManager(core, 'Vault AppRole', 'vault', vaultConfig(vault, 'approle'));
  // Adding it ran the connection test, whose login every later operation reuses.
  expect(vault.calls.login).toBe(1);
  const secrets = [];
  for (let i = 0; i < 3; i++) secrets.push(await createIn(core, `approle-${i}`, `value ${i}`, manager.id));
  await updateIn(core, secrets[0]!.id, 'value 0, updated');
  for (const [i, secret] of secrets.entries()) expect(await reveal(core, secret.id)).toBe(i === 0 ? 'value 0, updated' : `value ${i}`);
  expect(vault.calls.login).toBe(1);
  expect(vault.liveLoginTokens()).toBe(1);

  await call(core, 'vault.lock', {});
  expect(vault.calls['revoke-self']).toBe(1);
  expect(vault.liveLoginTokens()).toBe(0);

  // The next session logs in once more, and its lock revokes that token too.
  await call(core, 'vault.unlock', await sealedUnlock(core));
  expect(await reveal(core, secrets[1]!.id)).toBe('value 1');
  expect(await reveal(core, secrets[2]!.id)).toBe('value 2');
  expect(vault.calls.login).toBe(2);
  await call(core, 'vault.lock', {});
  expect(vault.calls['revoke-self']).toBe(2);
  expect(vault.liveLoginTokens()).toBe(0);
}, 180_000);
