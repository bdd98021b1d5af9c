// Proxy variables must not send the Vault or Azure providers anywhere but
// their configured endpoint. Unlike the other provider tests this file
// deliberately leaves NO_PROXY unset and points every proxy variable at a
// trap that counts connections; a control shows the trap does catch an SDK
// client left with its default pipeline.
import { createServer, type Server } from 'node:net';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as createAzure, listVaults } from '../../src-delegate/providers/azure-key-vault.js';
import type { RetryPolicy } from '../../src-delegate/providers/retry.js';
import { create as createVault } from '../../src-delegate/providers/vault.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'https_proxy', 'http_proxy', 'all_proxy', 'NO_PROXY', 'no_proxy'];
const fastRetry: RetryPolicy = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

let trap: Server;
let trapped = 0;
let saved: Record<string, string | undefined>;
let azure: AzureKeyVaultEmulator;
let vault: VaultEmulator;

beforeAll(async () => {
  trap = createServer((socket) => {
    trapped++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const proxy = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
  saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARIABLES) delete process.env[name];
  for (const name of PROXY_VARIABLES.filter((variable) => !/no_proxy/i.test(variable))) process.env[name] = proxy;
  [azure, vault] = await Promise.all([startAzureKeyVaultEmulator(), startVaultEmulator()]);
});

afterAll(async () => {
  for (const name of PROXY_VARIABLES) {
    if (saved?.[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await Promise.all([azure?.close(), vault?.close(), new Promise((resolve) => (trap ? trap.close(resolve) : resolve(undefined)))]);
});

describe('proxy variables', () => {
  it('catch an Azure SDK client left with its default pipeline (control)', async () => {
    const before = trapped;
    const client = new SecretClient(azure.endpoint, { getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 60_000 }) }, { retryOptions: { maxRetries: 0 }, disableChallengeResourceVerification: true });
    await expect(client.getSecret('anything')).rejects.toThrow();
    expect(trapped).toBeGreaterThan(before);
  });

  it('do not divert the Azure Key Vault provider, its sign-in or its vault listing', async () => {
    const before = trapped;
    const store = createAzure(azureConfig(azure), { retry: fastRetry });
    try {
      const { reference } = await store.put('no-proxy', 'value', 'overwrite');
      expect((await store.get(reference)).value).toBe('value');
      expect((await store.test()).ok).toBe(true);
      const { vaultName: _name, vaultUrl: _url, ...connection } = azureConfig(azure);
      expect(await listVaults(connection, { retry: fastRetry })).toHaveLength(1);
    } finally {
      store.close();
    }
    expect(trapped).toBe(before);
  });

  it('do not divert the Vault provider', async () => {
    const before = trapped;
    const store = createVault(vaultConfig(vault), { retry: fastRetry });
    try {
      const { reference } = await store.put('no-proxy', 'value', 'overwrite');
      expect((await store.get(reference)).value).toBe('value');
      expect((await store.test()).ok).toBe(true);
    } finally {
      store.close();
    }
    expect(trapped).toBe(before);
  });
});
