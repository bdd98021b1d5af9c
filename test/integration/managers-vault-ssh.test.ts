/**
 * Vault-signed SSH certificates end to end: a Vault manager whose SSH engine
 * (the emulator's, signing with ssh-keygen) signs the stored key at connect
 * time, and a real sshd that trusts the engine's CA. The private key stays in
 * the delegate; only the public key goes to Vault.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues } from '../../src-shared/contract.js';
import { managerConfig as vaultConfig, startVaultEmulator, type PolicyRules, type VaultEmulator } from '../emulators/vault-emulator.js';
import { generateKey, startSshd, type SshdUser, type TestKey, type TestSshd } from '../fixtures/sshd.js';
import { call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';
import { addManager } from './managers-harness.js';

/** The emulator's `strongroom` policy, as it grants signing and reading roles. */
const STRONGROOM_SIGNING: PolicyRules = {
  'secret/data/strongroom/*': ['create', 'read', 'update', 'delete', 'list'],
  'secret/metadata/strongroom/*': ['read', 'delete', 'list'],
  'secret/destroy/strongroom/*': ['update'],
  'kv/strongroom/*': ['create', 'read', 'update', 'delete', 'list'],
  'ssh-client-signer/sign/strongroom': ['update'],
  'ssh-client-signer/roles/*': ['read'],
  'auth/approle/role/strongroom/secret-id/lookup': ['update'],
};

describe('Vault-signed SSH certificates through a Vault manager', () => {
  const dir = tempDir();
  let vault: VaultEmulator;
  let sshd: TestSshd;
  let user: SshdUser;
  let key: TestKey;
  let core: AppCore;
  let vaultManagerId: string;

  const createRequest = async (name: string, metadata: Record<string, unknown>) => {
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const sealedValue = await sealValues(delegatePublicKey!, sealBindings.secretCreate([name]), [JSON.stringify({ privateKey: key.privateKey })]);
    return { name, type: 'ssh-vault-certificate' as const, metadata, sealedValue };
  };
  const create = async (name: string, metadata: Record<string, unknown>) => call(core, 'secrets.create', await createRequest(name, metadata));
  const createError = async (name: string, metadata: Record<string, unknown>) => callError(core, 'secrets.create', await createRequest(name, metadata));

  beforeAll(async () => {
    vault = await startVaultEmulator();
    sshd = await startSshd({ trustedUserCaKey: vault.sshCaPublicKey });
    user = await sshd.addUser();
    key = await generateKey('ed25519');
    core = await startCore(join(dir.path, 'store'));
    await createVault(core);
    vaultManagerId = (await addManager(core, 'Vault SSH', 'vault', vaultConfig(vault))).id;
  });

  afterAll(async () => {
    await Promise.allSettled([core?.close()]);
    await Promise.allSettled([sshd?.stop(), vault?.close()]);
    dir.remove();
  });

  it('signs the public key in Vault at connect time and logs in with the certificate', async () => {
    const secret = await create('deploy_cert', { username: user.name, vaultManagerId, mount: 'ssh-client-signer', role: 'strongroom', port: sshd.port });
    const signsBefore = vault.calls['ssh-sign'] ?? 0;
    // The server's host key is new to this store: the test trusts it, as the CLI's --accept-new-host-key does.
    const { report } = await call(core, 'connections.test', { testId: randomUUID(), secretId: secret.id, host: '127.0.0.1', acceptNewHostKey: true });
    expect(report.error, JSON.stringify(report.error)).toBeNull();
    expect(report.ok).toBe(true);
    const auth = report.stages.find((stage) => stage.stage === 'auth')!;
    expect(auth.details).toMatchObject({ certificateSource: 'signed', keyFingerprint: key.fingerprint });
    expect(vault.calls['ssh-sign']).toBe(signsBefore + 1);
  });

  it('checks the SSH engine and role at create, naming what is missing', async () => {
    const noRole = await createError('deploy_norole', { username: user.name, vaultManagerId, mount: 'ssh-client-signer', role: 'no-such-role' });
    expect(noRole.code).toBe('PROVIDER_NOT_FOUND');
    expect(noRole.message).toContain('has no role "no-such-role"');
    const noEngine = await createError('deploy_noengine', { username: user.name, vaultManagerId, mount: 'no-ssh-here', role: 'strongroom' });
    expect(noEngine.code).toBe('PROVIDER_NOT_FOUND');
    expect(noEngine.message).toContain('no secrets engine at no-ssh-here');
    const kvEngine = await createError('deploy_kvengine', { username: user.name, vaultManagerId, mount: 'secret', role: 'strongroom' });
    expect(kvEngine.code).toBe('INVALID_REQUEST');
    expect(kvEngine.message).toContain('not an SSH engine');
    vault.setSshRole('not-ours', {});
    const notAllowed = await createError('deploy_notallowed', { username: user.name, vaultManagerId, mount: 'ssh-client-signer', role: 'not-ours' });
    expect(notAllowed.code).toBe('PROVIDER_PERMISSION_DENIED');
    expect(notAllowed.permission).toBe('update on ssh-client-signer/sign/not-ours');
    const names = (await call(core, 'secrets.list', { limit: 500, offset: 0 })).items.map((item) => item.name);
    expect(names.filter((name) => name.startsWith('deploy_no') || name.startsWith('deploy_kv'))).toEqual([]);
  });

  it('reports a role Vault refuses as a failed login, naming why', async () => {
    // The role existed at create and was removed from Vault since.
    vault.setSshRole('short-lived', {});
    vault.setPolicy('strongroom', { ...STRONGROOM_SIGNING, 'ssh-client-signer/sign/short-lived': ['update'] });
    const secret = await create('deploy_badrole', { username: user.name, vaultManagerId, mount: 'ssh-client-signer', role: 'short-lived', port: sshd.port });
    vault.removeSshRole('short-lived');
    const { report } = await call(core, 'connections.test', { testId: randomUUID(), secretId: secret.id, host: '127.0.0.1' });
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe('AUTH_REJECTED');
    expect(report.error?.message).toMatch(/not signed/);
  });

  it('without a Vault manager, says one is needed; a manager of another kind is refused', async () => {
    const unsigned = await create('deploy_nosigner', { username: user.name, mount: 'ssh-client-signer', role: 'strongroom', port: sshd.port });
    const { report } = await call(core, 'connections.test', { testId: randomUUID(), secretId: unsigned.id, host: '127.0.0.1' });
    expect(report.ok).toBe(false);
    expect(report.error?.message).toMatch(/Vault secret manager/);
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const error = await callError(core, 'secrets.create', {
      name: 'deploy_local_signer',
      type: 'ssh-vault-certificate',
      metadata: { username: user.name, vaultManagerId: 'local', mount: 'ssh-client-signer', role: 'strongroom' },
      sealedValue: await sealValues(delegatePublicKey!, sealBindings.secretCreate(['deploy_local_signer']), [JSON.stringify({ privateKey: key.privateKey })]),
    });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.issues?.[0]?.path).toBe('metadata.vaultManagerId');
  });
});
