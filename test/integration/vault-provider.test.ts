// The Vault provider against the Vault emulator: KV v1 and v2, references,
// token and AppRole auth, the renewal loop and its pause, read-only rules,
// the read-only connection test, namespaces, mounts, SSH signing, faults and TLS.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type TokenRenewalStatus } from '../../src-delegate/providers/provider.js';
import type { RetryPolicy } from '../../src-delegate/providers/retry.js';
import { create, listMounts, type VaultConfigInput, type VaultStore } from '../../src-delegate/providers/vault.js';
import { VaultClient } from '../../src-delegate/providers/vault-client.js';
import { createTestCa } from '../emulators/test-ca.js';
import { managerConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';

const run = promisify(execFile);
const fastRetry: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

let vault: VaultEmulator;
const stores: VaultStore[] = [];

beforeAll(async () => {
  process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost';
  vault = await startVaultEmulator({ namespaces: ['team-a'] });
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  vault.setFaults({});
});

afterAll(async () => {
  await vault?.close();
});

function open(overrides: Partial<VaultConfigInput> = {}, onStatus?: (status: TokenRenewalStatus) => void): VaultStore {
  const store = create({ ...managerConfig(vault), ...overrides }, { retry: fastRetry, ...(onStatus ? { onStatus } : {}) });
  stores.push(store);
  return store;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** Records what the renewal loop reports; `next` resolves on the next status that satisfies `test`. */
function renewalRecorder() {
  const seen: TokenRenewalStatus[] = [];
  let waiting: { test: (status: TokenRenewalStatus) => boolean; resolve: (status: TokenRenewalStatus) => void } | null = null;
  return {
    seen,
    onStatus(status: TokenRenewalStatus) {
      seen.push(status);
      if (waiting?.test(status)) {
        waiting.resolve(status);
        waiting = null;
      }
    },
    next(test: (status: TokenRenewalStatus) => boolean): Promise<TokenRenewalStatus> {
      return new Promise((resolve) => (waiting = { test, resolve }));
    },
  };
}

async function rootClient(namespace?: string): Promise<VaultClient> {
  const client = new VaultClient({ url: vault.endpoint, ...(namespace ? { namespace } : {}) });
  client.token = vault.credentials.rootToken;
  return client;
}

describe('KV engines', () => {
  it('keeps every KV v2 version and reads old ones by version id', async () => {
    const store = open();
    const first = await store.put('kv2-versions', 'one', 'overwrite');
    const second = await store.put('kv2-versions', 'two', 'overwrite');
    expect(first).toEqual({ reference: 'strongroom/kv2-versions#value', versionId: '1' });
    expect(second.versionId).toBe('2');
    expect(await store.get(first.reference)).toEqual({ value: 'two', versionId: '2' });
    expect(await store.get(first.reference, '1')).toEqual({ value: 'one', versionId: '1' });
  });

  it('deletes every version of a KV v2 secret', async () => {
    const store = open();
    const { reference } = await store.put('kv2-delete', 'gone soon', 'create');
    await store.put('kv2-delete', 'also gone', 'overwrite');
    expect(await store.delete(reference, { versions: ['1', '2'], created: true })).toMatchObject({ removed: 'secret' });
    expect((await rejection(store.get(reference, '1'))).code).toBe('NOT_FOUND');
    expect((await rejection(store.get(reference))).code).toBe('NOT_FOUND');
  });

  it('writes and overwrites KV v1 values, which have no versions', async () => {
    const store = open({ engine: { mount: 'kv', version: 1 } });
    const first = await store.put('kv1-secret', 'one', 'overwrite');
    expect(first).toEqual({ reference: 'strongroom/kv1-secret#value', versionId: 'latest' });
    await store.put('kv1-secret', 'two', 'overwrite');
    expect(await store.get(first.reference, first.versionId)).toEqual({ value: 'two', versionId: 'latest' });
    expect((await rejection(store.get(first.reference, '1'))).code).toBe('INVALID');
    await store.delete(first.reference, { versions: ['latest'], created: true });
    expect((await rejection(store.get(first.reference))).code).toBe('NOT_FOUND');
  });
});

describe('references', () => {
  beforeAll(async () => {
    const client = await rootClient();
    await client.kvV2Write('secret', 'apps/db', { username: 'app', password: 'p4ss-w0rd', port: 5432 });
    await client.kvV1Write('kv', 'apps/legacy', { token: 'legacy-token' });
    client.close();
  });

  it('reads path#key from KV v2 and v1', async () => {
    const v2 = open({ auth: { method: 'token', token: vault.credentials.rootToken } });
    expect(await v2.readReference('apps/db#password')).toEqual({ value: 'p4ss-w0rd', versionId: '1' });
    expect((await v2.readReference('/apps/db#port')).value).toBe('5432');
    const v1 = open({ auth: { method: 'token', token: vault.credentials.rootToken }, engine: { mount: 'kv', version: 1 } });
    expect((await v1.readReference('apps/legacy#token')).value).toBe('legacy-token');
  });

  it('names the keys that exist when the key is missing', async () => {
    const store = open({ auth: { method: 'token', token: vault.credentials.rootToken } });
    const error = await rejection(store.readReference('apps/db#pasword'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('password, port, username');
  });

  it('never deletes outside the base path, so deleting a reference leaves the remote secret', async () => {
    const store = open({ auth: { method: 'token', token: vault.credentials.rootToken } });
    expect((await rejection(store.delete('apps/db#password', { versions: ['1'], created: true }))).code).toBe('INVALID');
    expect((await store.readReference('apps/db#username')).value).toBe('app');
  });

  it('refuses malformed references before calling Vault', async () => {
    const store = open();
    const before = vault.calls['kv-read'] ?? 0;
    expect((await rejection(store.readReference('apps/db'))).code).toBe('INVALID');
    expect((await rejection(store.readReference('apps/../db#key'))).code).toBe('INVALID');
    expect(vault.calls['kv-read'] ?? 0).toBe(before);
  });
});

describe('authentication', () => {
  it('logs in with AppRole once for concurrent calls and again when the token has expired', async () => {
    const { roleId, secretId } = vault.credentials.appRole;
    const store = open({ auth: { method: 'approle', roleId, secretId } });
    const logins = vault.calls.login ?? 0;
    await Promise.all([store.put('approle-a', 'a', 'overwrite'), store.put('approle-b', 'b', 'overwrite')]);
    expect(vault.calls.login).toBe(logins + 1);
    vault.expireLoginTokens();
    expect((await store.get('strongroom/approle-a#value')).value).toBe('a');
    expect(vault.calls.login).toBe(logins + 2);
  });

  it('reports a wrong secret id or token as AUTH_FAILED', async () => {
    const { roleId } = vault.credentials.appRole;
    const approle = open({ auth: { method: 'approle', roleId, secretId: 'not-the-secret-id' } });
    expect((await rejection(approle.get('strongroom/x#value'))).code).toBe('AUTH_FAILED');
    const approleTest = await approle.test();
    expect(approleTest.ok).toBe(false);
    expect(approleTest.facts.errorCode).toBe('AUTH_FAILED');
    expect(approleTest.checks.at(-1)?.name).toBe('AppRole login');
    const token = open({ auth: { method: 'token', token: 'hvs.not-a-token' } });
    expect((await rejection(token.put('x', 'y', 'overwrite'))).code).toBe('AUTH_FAILED');
    const tokenTest = await token.test();
    expect(tokenTest.facts.errorCode).toBe('AUTH_FAILED');
    expect(tokenTest.checks).toEqual([{ name: 'token lookup', ok: false, detail: expect.stringContaining('rejected the token') }]);
  });

  it('names the capability a denied request needed', async () => {
    vault.setPolicy('no-read', { 'secret/data/strongroom/*': ['create', 'update'] });
    const store = open({ auth: { method: 'token', token: vault.createToken({ policies: ['no-read'] }) } });
    await store.put('write-only', 'value', 'overwrite');
    const error = await rejection(store.get('strongroom/write-only#value'));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.extra.permission).toBe('read on secret/data/strongroom/write-only');
  });

  it('sends the namespace header, and namespaces keep their own secrets and tokens', async () => {
    const inTeam = open({ namespace: 'team-a', auth: { method: 'token', token: vault.credentials.rootToken } });
    const { reference } = await inTeam.put('namespaced', 'team value', 'overwrite');
    const inRoot = open({ auth: { method: 'token', token: vault.credentials.rootToken } });
    expect((await rejection(inRoot.get(reference))).code).toBe('NOT_FOUND');
    expect((await inTeam.get(reference)).value).toBe('team value');

    vault.setPolicy('team-reader', { 'secret/data/strongroom/*': ['read'] }, 'team-a');
    const teamToken = vault.createToken({ namespace: 'team-a', policies: ['team-reader'] });
    expect((await open({ namespace: 'team-a', auth: { method: 'token', token: teamToken } }).get(reference)).value).toBe('team value');
    expect((await rejection(open({ auth: { method: 'token', token: teamToken } }).get(reference))).code).toBe('AUTH_FAILED');
  });
});

describe('read-only managers', () => {
  it('refuse writes and deletes without calling Vault, and still read references', async () => {
    const writer = open();
    const { reference } = await writer.put('read-only-target', 'kept', 'overwrite');
    const store = open({ readOnly: true });
    const writes = vault.calls['kv-write'] ?? 0;
    const put = await rejection(store.put('read-only-new', 'value', 'overwrite'));
    expect(put.code).toBe('READ_ONLY');
    expect((await rejection(store.delete(reference, { versions: ['1'], created: true }))).code).toBe('READ_ONLY');
    expect(vault.calls['kv-write'] ?? 0).toBe(writes);
    expect((await store.readReference(reference)).value).toBe('kept');
  });
});

describe('connection test', () => {
  it('looks the token up and checks capabilities without writing anything', async () => {
    const writes = vault.calls['kv-write'] ?? 0;
    const result = await open().test();
    expect(result.ok).toBe(true);
    expect(result.facts.tokenRenewable).toBe(true);
    expect(result.facts.tokenTtlSeconds).toBeGreaterThan(86400);
    expect(result.facts.tokenPolicies).toBe('default, strongroom');
    expect(result.checks.map((check) => check.name)).toEqual(['token lookup', 'capabilities']);
    expect(result.warnings).toEqual([]);
    expect(vault.calls['kv-write'] ?? 0).toBe(writes);
    expect(vault.calls['capabilities-self']).toBeGreaterThan(0);
  });

  it('names the capabilities the token is missing', async () => {
    vault.setPolicy('reader', { 'secret/data/strongroom/*': ['read', 'list'] });
    const result = await open({ auth: { method: 'token', token: vault.createToken({ policies: ['reader'], ttlSeconds: 30 * 86400 }) } }).test();
    expect(result.ok).toBe(false);
    const capabilities = result.checks.find((check) => check.name === 'capabilities')!;
    expect(capabilities.ok).toBe(false);
    expect(capabilities.detail).toContain('create, update on secret/data/strongroom/*');
    expect(capabilities.detail).toContain('delete on secret/metadata/strongroom/*');
  });

  it('asks only for read on a read-only manager', async () => {
    vault.setPolicy('reader', { 'secret/data/strongroom/*': ['read', 'list'] });
    const result = await open({ readOnly: true, auth: { method: 'token', token: vault.createToken({ policies: ['reader'], ttlSeconds: 30 * 86400 }) } }).test();
    expect(result.ok).toBe(true);
  });

  it('warns about a token that expires within a day and cannot be renewed', async () => {
    const token = vault.createToken({ policies: ['strongroom'], ttlSeconds: 3600, renewable: false });
    const result = await open({ auth: { method: 'token', token } }).test();
    expect(result.facts.tokenRenewable).toBe(false);
    expect(result.warnings.some((warning) => warning.startsWith('The token expires in'))).toBe(true);
    expect(result.warnings.some((warning) => warning.startsWith('The token cannot be renewed'))).toBe(true);
  });

  it('shows the AppRole secret-id expiry, and warns when it is near', async () => {
    const { roleId, secretId } = vault.credentials.appRole;
    const result = await open({ auth: { method: 'approle', roleId, secretId } }).test();
    expect(result.ok).toBe(true);
    expect(result.facts.appRole).toBe('strongroom');
    expect(Date.parse(String(result.facts.secretIdExpiresAt)) - Date.now()).toBeGreaterThan(6 * 86400 * 1000);

    vault.setPolicy('short', { ...{ 'secret/data/strongroom/*': ['create', 'read', 'update'], 'secret/metadata/strongroom/*': ['read', 'delete'], 'secret/destroy/strongroom/*': ['update'] }, 'auth/approle/role/short-lived/secret-id/lookup': ['update'] });
    const shortLived = vault.createAppRole({ name: 'short-lived', policies: ['short'], secretIdTtlSeconds: 3600 });
    const warned = await open({ auth: { method: 'approle', ...shortLived } }).test();
    expect(warned.warnings.some((warning) => warning.startsWith('The AppRole secret id expires in'))).toBe(true);
  });

  it('counts a 404 from sys/capabilities-self as "could not check", like a 403, not as a failure', async () => {
    vault.setFaults({ serverErrors: { count: 1, status: 404, path: /^sys\/capabilities-self$/ } });
    const missing = await open().test();
    expect(missing.ok, JSON.stringify(missing.checks)).toBe(true);
    expect(missing.checks.find((check) => check.name === 'capabilities')!.detail).toContain('Could not check');
    expect(missing.warnings.some((warning) => warning.includes('does not serve sys/capabilities-self'))).toBe(true);

    vault.setPolicy('no-capabilities-self', { 'auth/token/lookup-self': ['read'], 'secret/data/strongroom/*': ['create', 'read', 'update'] });
    const denied = await open({ auth: { method: 'token', token: vault.createToken({ policies: ['no-capabilities-self'], noDefaultPolicy: true, ttlSeconds: 30 * 86400 }) } }).test();
    expect(denied.ok, JSON.stringify(denied.checks)).toBe(true);
    expect(denied.checks.find((check) => check.name === 'capabilities')!.detail).toContain('may not ask for them');
  });

  it('counts a 404 from the secret-id lookup as "expiry unknown", not as a failure', async () => {
    const { roleId, secretId } = vault.credentials.appRole;
    vault.setFaults({ serverErrors: { count: 1, status: 404, path: /secret-id\/lookup$/ } });
    const result = await open({ auth: { method: 'approle', roleId, secretId } }).test();
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.facts.secretIdExpiresAt).toBeNull();
    expect(result.checks.find((check) => check.name === 'secret-id expiry')!.detail).toContain('Expiry unknown: Vault does not serve');
  });

  it('says when the secret-id expiry cannot be looked up', async () => {
    vault.setPolicy('no-lookup', { 'secret/data/strongroom/*': ['create', 'read', 'update'], 'secret/metadata/strongroom/*': ['read', 'delete'], 'secret/destroy/strongroom/*': ['update'] });
    const role = vault.createAppRole({ name: 'no-lookup', policies: ['no-lookup'] });
    const result = await open({ auth: { method: 'approle', ...role } }).test();
    expect(result.ok).toBe(true);
    expect(result.facts.secretIdExpiresAt).toBeNull();
    expect(result.checks.find((check) => check.name === 'secret-id expiry')!.detail).toContain('Expiry unknown');
  });
});

describe('AppRole token lifetime', () => {
  it('logs in once for many operations, and revokes the token when closed', async () => {
    const logins = vault.calls.login ?? 0;
    const revoked = vault.calls['revoke-self'] ?? 0;
    const live = vault.liveLoginTokens();
    const store = create({ ...managerConfig(vault, 'approle') }, { retry: fastRetry });
    const name = `approle-reuse-${Date.now()}`;
    const { reference } = await store.put(name, 'one', 'create');
    for (let i = 0; i < 5; i++) expect((await store.get(reference)).value).toBe('one');
    await store.put(name, 'two', 'overwrite');
    expect(vault.calls.login! - logins).toBe(1);
    expect(vault.liveLoginTokens()).toBe(live + 1);

    // A connection test logs in anew to check the role and secret ids: the token it replaces is revoked.
    expect((await store.test()).ok).toBe(true);
    expect(vault.calls.login! - logins).toBe(2);
    expect(vault.liveLoginTokens()).toBe(live + 1);
    expect((await store.get(reference)).value).toBe('two');

    await store.close();
    expect(vault.calls['revoke-self']! - revoked).toBe(2);
    expect(vault.liveLoginTokens()).toBe(live);
  });

  it('never revokes a configured token, which belongs to the admin', async () => {
    const revoked = vault.calls['revoke-self'] ?? 0;
    const store = create(managerConfig(vault), { retry: fastRetry });
    expect((await store.test()).ok).toBe(true);
    await store.close();
    expect(vault.calls['revoke-self'] ?? 0).toBe(revoked);
    const again = create(managerConfig(vault), { retry: fastRetry });
    stores.push(again);
    expect((await again.test()).ok).toBe(true);
  });
});

describe('token renewal loop', () => {
  it('renews at the configured interval', async () => {
    const token = vault.createToken({ policies: ['strongroom'], ttlSeconds: 600 });
    const renewals = renewalRecorder();
    const active = renewals.next((status) => status.state === 'active');
    const store = open({ auth: { method: 'token', token }, renewalIntervalSeconds: 0.02 }, renewals.onStatus);
    const status = await active;
    expect(status.ttlSeconds).toBe(600);
    expect(status.lastRenewedAt).not.toBeNull();
    expect(store.tokenRenewal.status().state).toBe('active');
    expect(vault.calls['renew-self']).toBeGreaterThan(0);
  });

  it('pauses after three failures in a row, says so, and resumes on request', async () => {
    const token = vault.createToken({ policies: ['strongroom'], ttlSeconds: 600 });
    vault.setFaults({ serverErrors: { count: 1000, status: 503, path: /renew-self/ } });
    const renewals = renewalRecorder();
    const paused = renewals.next((status) => status.state === 'paused');
    const store = open({ auth: { method: 'token', token }, renewalIntervalSeconds: 0.01 }, renewals.onStatus);
    const status = await paused;
    expect(status.consecutiveFailures).toBe(3);
    expect(status.lastError?.message).toContain('paused after 3 failures');
    expect(renewals.seen.map((seen) => seen.state)).toEqual(['failing', 'failing', 'paused']);
    expect(store.tokenRenewal.status().state).toBe('paused');

    vault.setFaults({});
    const renewed = renewals.next((next) => next.state === 'active' && next.lastRenewedAt !== null);
    store.tokenRenewal.resume();
    expect((await renewed).consecutiveFailures).toBe(0);
  });

  it('counts a token that cannot be renewed as a failure', async () => {
    const token = vault.createToken({ policies: ['strongroom'], ttlSeconds: 600, renewable: false });
    const renewals = renewalRecorder();
    const failing = renewals.next((status) => status.state === 'failing');
    open({ auth: { method: 'token', token }, renewalIntervalSeconds: 0.02 }, renewals.onStatus);
    expect((await failing).lastError?.message).toContain('lease is not renewable');
  });

  it('logs in again with AppRole instead of renewing when it has no token', async () => {
    const { roleId, secretId } = vault.credentials.appRole;
    const renewals = renewalRecorder();
    const active = renewals.next((status) => status.state === 'active');
    const logins = vault.calls.login ?? 0;
    open({ auth: { method: 'approle', roleId, secretId }, renewalIntervalSeconds: 0.02 }, renewals.onStatus);
    expect((await active).ttlSeconds).toBe(3600);
    expect(vault.calls.login).toBe(logins + 1);
  });

  it('sees that a token which never expires needs no renewal', async () => {
    const renewals = renewalRecorder();
    const settled = renewals.next((status) => status.state !== 'idle');
    open({ auth: { method: 'token', token: vault.credentials.rootToken }, renewalIntervalSeconds: 0.02 }, renewals.onStatus);
    expect((await settled).state).toBe('not-needed');
  });
});

describe('mounts', () => {
  it('lists every engine with its KV version', async () => {
    const mounts = await listMounts({ url: vault.endpoint, auth: { method: 'token', token: vault.credentials.rootToken } });
    expect(mounts).toEqual(
      expect.arrayContaining([
        { path: 'secret', type: 'kv', version: 2, description: expect.any(String) },
        { path: 'kv', type: 'kv', version: 1, description: expect.any(String) },
        { path: 'ssh-client-signer', type: 'ssh', version: null, description: expect.any(String) },
      ]),
    );
  });

  it('falls back to the mounts a token may use when it cannot read sys/mounts', async () => {
    const mounts = await listMounts({ url: vault.endpoint, auth: { method: 'token', token: vault.credentials.token } });
    expect(mounts.map((mount) => mount.path)).toEqual(expect.arrayContaining(['kv', 'secret', 'ssh-client-signer']));
    expect(vault.calls['ui-mounts']).toBeGreaterThan(0);
  });
});

describe('SSH secrets engine', () => {
  let dir: string;
  let publicKey: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-ssh-test-'));
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'user@strongroom', '-f', join(dir, 'id_ed25519')]);
    publicKey = await readFile(join(dir, 'id_ed25519.pub'), 'utf8');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs a public key into an OpenSSH certificate with the asked principal', async () => {
    const store = open({ readOnly: true });
    const signed = await store.sshSigner.sign({ mount: 'ssh-client-signer', role: 'strongroom', publicKey, validPrincipals: ['deploy'], ttl: 600 });
    expect(signed.certificate).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    await writeFile(join(dir, 'id_ed25519-cert.pub'), `${signed.certificate}\n`);
    const { stdout } = await run('ssh-keygen', ['-L', '-f', join(dir, 'id_ed25519-cert.pub')]);
    expect(stdout).toContain('user certificate');
    expect(stdout).toMatch(/Principals:\s*\n\s*deploy\s*\n/);
    expect(stdout).toContain(`Serial: ${BigInt(`0x${signed.serialNumber}`)}`);
    await writeFile(join(dir, 'ca.pub'), vault.sshCaPublicKey);
    const caFingerprint = (await run('ssh-keygen', ['-l', '-f', join(dir, 'ca.pub')])).stdout.split(' ')[1]!;
    expect(stdout).toContain(`Signing CA: ED25519 ${caFingerprint}`);
  });

  it('refuses a principal the role does not allow', async () => {
    vault.setSshRole('ops-only', { allowedUsers: 'ops' });
    vault.setPolicy('ssh-ops', { 'ssh-client-signer/sign/ops-only': ['update'] });
    const store = open({ auth: { method: 'token', token: vault.createToken({ policies: ['ssh-ops'] }) } });
    const error = await rejection(store.sshSigner.sign({ mount: 'ssh-client-signer', role: 'ops-only', publicKey, validPrincipals: ['root'] }));
    expect(error.code).toBe('INVALID');
    expect(error.message).toContain('root is not a valid value for valid_principals');
  });
});

describe('faults, limits and transport', () => {
  it('recovers from throttling and 5xx within the retry budget', async () => {
    const store = open();
    const throttled = vault.calls.throttled ?? 0;
    vault.setFaults({ throttle: { count: 2, retryAfterSeconds: 0 } });
    await store.put('after-throttling', 'value', 'overwrite');
    expect(vault.calls.throttled).toBe(throttled + 2);
    vault.setFaults({ serverErrors: { count: 2, status: 503 } });
    expect((await store.get('strongroom/after-throttling#value')).value).toBe('value');
  });

  it('gives up with THROTTLED when throttling outlasts the retries', async () => {
    vault.setFaults({ throttle: { count: 100, retryAfterSeconds: 0 } });
    expect((await rejection(open().get('strongroom/anything#value'))).code).toBe('THROTTLED');
  });

  it('refuses names and sizes outside the rules before calling Vault', async () => {
    const store = open();
    const writes = vault.calls['kv-write'] ?? 0;
    expect(store.checkName('nested/name')).toMatch(/'\/' would nest/);
    expect(store.checkName('ok_name-1.2')).toBeNull();
    expect((await rejection(store.put('bad#name', 'x', 'overwrite'))).code).toBe('INVALID');
    expect((await rejection(store.put('too-big', 'x'.repeat(store.maxValueBytes + 1), 'overwrite'))).code).toBe('INVALID');
    expect(vault.calls['kv-write'] ?? 0).toBe(writes);
    await store.put('just-fits', 'x'.repeat(store.maxValueBytes), 'overwrite');
  });

  it("maps storage's entry-size refusal to INVALID without retrying", async () => {
    const small = await startVaultEmulator({ maxEntryBytes: 1024 });
    try {
      const client = new VaultClient({ url: small.endpoint });
      client.token = small.credentials.rootToken;
      const error = await rejection(client.kvV2Write('secret', 'big', { value: 'x'.repeat(2048) }));
      expect(error.code).toBe('INVALID');
      expect(small.calls['kv-write']).toBe(1);
      client.close();
    } finally {
      await small.close();
    }
  });

  it('trusts a private CA only when given, and reports TLS_UNTRUSTED otherwise', async () => {
    const ca = await createTestCa();
    const secure = await startVaultEmulator({ tls: ca });
    const configs: VaultStore[] = [];
    try {
      const base = { ...managerConfig(secure) };
      const trusted = create({ ...base, caCertificate: ca.caCertificate }, { retry: fastRetry });
      const untrusted = create(base, { retry: fastRetry });
      configs.push(trusted, untrusted);
      expect(secure.endpoint).toMatch(/^https:/);
      await trusted.put('over-tls', 'value', 'overwrite');
      expect((await rejection(untrusted.get('strongroom/over-tls#value'))).code).toBe('TLS_UNTRUSTED');
    } finally {
      for (const store of configs) store.close();
      await secure.close();
    }
  });

  it('reports UNREACHABLE when nothing listens', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    expect((await rejection(open({ url: `http://127.0.0.1:${port}` }).get('strongroom/x#value'))).code).toBe('UNREACHABLE');
  });
});
