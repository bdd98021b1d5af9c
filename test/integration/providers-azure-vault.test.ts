// Azure Key Vault and HashiCorp Vault stores against their emulators: the
// shared conformance suite, then what only Azure does (challenge flow, Entra
// ID sign-in, TLS trust, soft delete, vault listing). Vault's own behaviour
// is in vault-provider.test.ts.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { create as createAzure, listVaults, type AzureKeyVaultConfigInput, type AzureKeyVaultStore } from '../../src-delegate/providers/azure-key-vault.js';
import { ProviderError } from '../../src-delegate/providers/provider.js';
import { create as createVault, type VaultConfigInput } from '../../src-delegate/providers/vault.js';
import { VaultClient } from '../../src-delegate/providers/vault-client.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator } from '../emulators/vault-emulator.js';
import { conformanceRetry, describeProviderConformance, type ConformanceFaults } from './provider-conformance-suite.js';

process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost';

const hex = () => randomBytes(4).toString('hex');
const total = (calls: Record<string, number>, ...operations: string[]) => operations.reduce((sum, operation) => sum + (calls[operation] ?? 0), 0);

describeProviderConformance('azure-key-vault', async (defer) => {
  const emulator = await startAzureKeyVaultEmulator();
  defer(() => emulator.close());
  // With a name prefix, as a manager in a shared vault would have.
  const prefix = 'strongroom-';
  const provider = createAzure({ ...azureConfig(emulator), namePrefix: prefix }, { retry: conformanceRetry });
  const wrongCredentials = createAzure({ ...azureConfig(emulator), namePrefix: prefix, clientSecret: 'not-the-client-secret' }, { retry: conformanceRetry });
  defer(() => {
    provider.close();
    wrongCredentials.close();
  });
  const faults: ConformanceFaults = {
    throttleNext: (count) => emulator.setFaults({ throttle: { count, retryAfterSeconds: 0 } }),
    serverErrorNext: (count) => emulator.setFaults({ serverErrors: { count, status: 503 } }),
    clear: () => emulator.setFaults({}),
    calls: () => emulator.calls.vaultRequests ?? 0,
  };
  return {
    role: 'secret-store',
    provider,
    wrongCredentials,
    faults,
    invalidNames: ['', 'has_underscore', 'has.dot', 'x'.repeat(128)],
    missingReference: 'conformance-missing',
    missingVersionId: '0'.repeat(32),
    seedReference: async () => {
      const name = `seeded-${hex()}`;
      const version = emulator.seedSecret(name, 'seeded by an admin');
      return { reference: `${name}/${version}`, value: 'seeded by an admin' };
    },
    writeCalls: () => total(emulator.calls, 'setSecret', 'deleteSecret', 'purgeDeletedSecret'),
    writeOutside: async (name, value) => {
      emulator.seedSecret(`${prefix}${name}`, value);
    },
  };
});

for (const auth of ['token', 'approle'] as const) {
  describeProviderConformance(`vault (KV v2, ${auth} auth)`, async (defer) => {
    const emulator = await startVaultEmulator();
    defer(() => emulator.close());
    const config = vaultConfig(emulator, auth);
    const wrong: VaultConfigInput['auth'] =
      auth === 'token' ? { method: 'token', token: 'hvs.not-a-token' } : { method: 'approle', roleId: emulator.credentials.appRole.roleId, secretId: 'not-the-secret-id' };
    const provider = createVault(config, { retry: conformanceRetry });
    const wrongCredentials = createVault({ ...config, auth: wrong }, { retry: conformanceRetry });
    defer(() => {
      provider.close();
      wrongCredentials.close();
    });
    return {
      role: 'secret-store',
      provider,
      wrongCredentials,
      faults: {
        throttleNext: (count) => emulator.setFaults({ throttle: { count, retryAfterSeconds: 0 } }),
        serverErrorNext: (count) => emulator.setFaults({ serverErrors: { count, status: 503 } }),
        clear: () => emulator.setFaults({}),
        calls: () => emulator.calls.requests ?? 0,
      },
      invalidNames: ['', 'nested/name', 'hash#name', '..', 'with space', 'x'.repeat(256)],
      missingReference: 'strongroom/conformance-missing#value',
      missingVersionId: '999',
      seedReference: async () => {
        const admin = new VaultClient({ url: emulator.endpoint });
        admin.token = emulator.credentials.rootToken;
        const path = `strongroom/seeded-${hex()}`;
        await admin.kvV2Write('secret', path, { username: 'admin', password: 'seeded by an admin' });
        admin.close();
        return { reference: `${path}#password`, value: 'seeded by an admin' };
      },
      writeCalls: () => total(emulator.calls, 'kv-write', 'kv-delete', 'kv-destroy', 'kv-destroy-versions'),
      writeOutside: async (name, value) => {
        const admin = new VaultClient({ url: emulator.endpoint });
        admin.token = emulator.credentials.rootToken;
        await admin.kvV2Write('secret', `${config.basePath}/${name}`, { value });
        admin.close();
      },
    };
  });
}

let azure: AzureKeyVaultEmulator;
const opened: { close(): void }[] = [];

function openAzure(overrides: Partial<AzureKeyVaultConfigInput> = {}): AzureKeyVaultStore {
  const store = createAzure({ ...azureConfig(azure), ...overrides }, { retry: conformanceRetry });
  opened.push(store);
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

describe('Azure Key Vault specifics', () => {
  beforeAll(async () => {
    azure = await startAzureKeyVaultEmulator();
  });

  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    azure.setFaults({});
  });

  afterAll(async () => {
    await azure?.close();
  });

  it('follows the challenge flow: one bare request, one token, then bearer requests', async () => {
    const store = openAzure();
    const before = { ...azure.calls };
    await store.put('challenge-flow', 'value', 'overwrite');
    expect(azure.calls.challenge).toBe((before.challenge ?? 0) + 1);
    expect(azure.calls.token).toBe((before.token ?? 0) + 1);
    await store.get('challenge-flow');
    expect(azure.calls.challenge).toBe((before.challenge ?? 0) + 1);
    expect(azure.calls.token).toBe((before.token ?? 0) + 1);
  });

  it('reports a bad client secret or tenant as AUTH_FAILED with Entra ID’s reason', async () => {
    const badSecret = await rejection(openAzure({ clientSecret: 'wrong-secret' }).put('bad-secret', 'x', 'overwrite'));
    expect(badSecret.code).toBe('AUTH_FAILED');
    expect(badSecret.message).toContain('AADSTS7000215');
    const result = await openAzure({ tenantId: 'other-tenant.onmicrosoft.com' }).test();
    expect(result.ok).toBe(false);
    expect(result.facts.errorCode).toBe('AUTH_FAILED');
    expect(result.checks).toEqual([{ name: 'sign-in', ok: false, detail: expect.stringContaining('AADSTS90002') }]);
  });

  it('names the tenant the vault belongs to when the manager has another', async () => {
    const error = await rejection(openAzure({ tenantId: 'other-tenant.onmicrosoft.com' }).get('anything'));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain(`the vault belongs to tenant ${azure.credentials.tenantId}`);
  });

  it('reports TLS_UNTRUSTED when the private CA is not given', async () => {
    const { caCertificate: _dropped, ...withoutCa } = azureConfig(azure);
    const store = createAzure(withoutCa, { retry: conformanceRetry });
    opened.push(store);
    expect((await rejection(store.get('anything'))).code).toBe('TLS_UNTRUSTED');
  });

  it('reports a sign-in server it cannot reach or does not trust as UNREACHABLE or TLS_UNTRUSTED, not as wrong credentials', async () => {
    const { createServer } = await import('node:net');
    // A port that was free a moment ago and is closed now: nothing listens there.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const nowhere = openAzure({ authorityHost: `https://127.0.0.1:${closedPort}` });
    const unreachable = await nowhere.test();
    expect(unreachable.checks).toEqual([{ name: 'sign-in', ok: false, detail: expect.stringContaining('cannot be reached (ECONNREFUSED)') }]);
    expect(unreachable.facts.errorCode).toBe('UNREACHABLE');
    // The vault answers its challenge; the sign-in it asks for cannot reach Entra ID.
    expect((await rejection(nowhere.get('anything'))).code).toBe('UNREACHABLE');

    const { caCertificate: _dropped, ...withoutCa } = azureConfig(azure);
    const untrusting = createAzure(withoutCa, { retry: conformanceRetry });
    opened.push(untrusting);
    const untrusted = await untrusting.test();
    expect(untrusted.checks).toEqual([{ name: 'sign-in', ok: false, detail: expect.stringContaining('TLS certificate is not trusted') }]);
    expect(untrusted.facts.errorCode).toBe('TLS_UNTRUSTED');
  });

  it('names the access-policy permission that is missing', async () => {
    const store = openAzure();
    await store.put('permission-check', 'x', 'overwrite');
    azure.setPermissions(['set']);
    try {
      const error = await rejection(store.get('permission-check'));
      expect(error.code).toBe('PERMISSION_DENIED');
      expect(error.extra.permission).toBe('secrets/get');
      const result = await store.test();
      expect(result.ok).toBe(false);
      expect(result.checks.find((check) => check.name === 'list secrets')?.detail).toContain('secrets/list');
    } finally {
      azure.setPermissions(['get', 'list', 'set', 'delete', 'purge']);
    }
  });

  it('reports a soft-deleted name as CONFLICT', async () => {
    const store = openAzure();
    const { reference, versionId } = await store.put('soft-deleted', 'x', 'create');
    expect(await store.delete(reference, { versions: [versionId], created: true })).toMatchObject({ removed: 'secret' });
    expect(await store.delete(reference, { versions: [versionId], created: true })).toMatchObject({ removed: 'nothing' });
    const error = await rejection(store.put('soft-deleted', 'again', 'overwrite'));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('Recover or purge');
  });

  it('reads references as name, name/version or a secret identifier URL', async () => {
    const store = openAzure();
    const first = await store.put('referenced', 'old', 'overwrite');
    await store.put('referenced', 'new', 'overwrite');
    expect((await store.readReference('referenced')).value).toBe('new');
    expect(await store.readReference(`referenced/${first.versionId}`)).toEqual({ value: 'old', versionId: first.versionId });
    expect((await store.readReference(`${azure.endpoint}/secrets/referenced/${first.versionId}`)).value).toBe('old');
    expect((await rejection(store.readReference('https://elsewhere.vault.azure.net/secrets/referenced'))).code).toBe('INVALID');
  });

  it('lists the subscription’s vaults through Resource Manager', async () => {
    const config = azureConfig(azure);
    const { vaultName: _name, vaultUrl: _url, ...connection } = config;
    expect(await listVaults(connection, { retry: conformanceRetry })).toEqual([{ name: config.vaultName, resourceGroup: 'strongroom-rg', location: 'westeurope' }]);
    const { subscription: _subscription, ...noSubscription } = connection;
    expect((await rejection(listVaults(noSubscription))).code).toBe('INVALID');
    expect((await rejection(listVaults({ ...connection, subscription: '00000000-0000-0000-0000-000000000000' }, { retry: conformanceRetry }))).code).toBe('NOT_FOUND');
  });

  it('tests the connection by signing in and listing, without writing', async () => {
    const store = openAzure();
    const writes = azure.calls.setSecret ?? 0;
    const result = await store.test();
    expect(result.checks.map((check) => check.name)).toEqual(['sign-in', 'list secrets']);
    expect(typeof result.facts.secretsOnFirstPage).toBe('number');
    expect(azure.calls.setSecret ?? 0).toBe(writes);
  });

  it('refuses plain-HTTP endpoints in the configuration', () => {
    expect(() => createAzure({ ...azureConfig(azure), vaultUrl: azure.endpoint.replace('https:', 'http:') })).toThrow(ProviderError);
  });
});
