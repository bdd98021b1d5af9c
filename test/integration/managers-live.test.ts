/**
 * Opt-in: the same round trip as the emulator tests, against real accounts.
 * Each kind runs only when its credentials are in the environment; without
 * them it is skipped with a line saying exactly what it would need. It writes
 * one uniquely named secret and deletes it again.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { call, createVault, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createIn, revealVersion, updateIn, type ExternalKind } from './managers-harness.js';

interface LiveKind {
  kind: ExternalKind;
  needs: string[];
  config: (env: Record<string, string>) => unknown;
}

const LIVE: LiveKind[] = [
  {
    kind: 'aws-kms',
    needs: ['STRONGROOM_LIVE_AWS_REGION', 'STRONGROOM_LIVE_AWS_ACCESS_KEY_ID', 'STRONGROOM_LIVE_AWS_SECRET_ACCESS_KEY', 'STRONGROOM_LIVE_AWS_KMS_KEY_ARN'],
    config: (env) => ({
      region: env.STRONGROOM_LIVE_AWS_REGION,
      credentials: { accessKeyId: env.STRONGROOM_LIVE_AWS_ACCESS_KEY_ID, secretAccessKey: env.STRONGROOM_LIVE_AWS_SECRET_ACCESS_KEY },
      keyArn: env.STRONGROOM_LIVE_AWS_KMS_KEY_ARN,
    }),
  },
  {
    kind: 'aws-secrets-manager',
    needs: ['STRONGROOM_LIVE_AWS_REGION', 'STRONGROOM_LIVE_AWS_ACCESS_KEY_ID', 'STRONGROOM_LIVE_AWS_SECRET_ACCESS_KEY', 'STRONGROOM_LIVE_AWS_SM_PREFIX'],
    config: (env) => ({
      region: env.STRONGROOM_LIVE_AWS_REGION,
      credentials: { accessKeyId: env.STRONGROOM_LIVE_AWS_ACCESS_KEY_ID, secretAccessKey: env.STRONGROOM_LIVE_AWS_SECRET_ACCESS_KEY },
      namePrefix: env.STRONGROOM_LIVE_AWS_SM_PREFIX,
      recoveryWindowDays: 7,
    }),
  },
  {
    kind: 'gcp-kms',
    needs: ['STRONGROOM_LIVE_GCP_SERVICE_ACCOUNT_FILE', 'STRONGROOM_LIVE_GCP_PROJECT', 'STRONGROOM_LIVE_GCP_LOCATION', 'STRONGROOM_LIVE_GCP_KEY_RING', 'STRONGROOM_LIVE_GCP_KEY_NAME'],
    config: (env) => ({
      projectId: env.STRONGROOM_LIVE_GCP_PROJECT,
      location: env.STRONGROOM_LIVE_GCP_LOCATION,
      keyRing: env.STRONGROOM_LIVE_GCP_KEY_RING,
      keyName: env.STRONGROOM_LIVE_GCP_KEY_NAME,
      serviceAccount: JSON.parse(readFileSync(env.STRONGROOM_LIVE_GCP_SERVICE_ACCOUNT_FILE!, 'utf8')) as unknown,
    }),
  },
  {
    kind: 'azure-key-vault',
    needs: ['STRONGROOM_LIVE_AZURE_TENANT_ID', 'STRONGROOM_LIVE_AZURE_CLIENT_ID', 'STRONGROOM_LIVE_AZURE_CLIENT_SECRET', 'STRONGROOM_LIVE_AZURE_VAULT_NAME'],
    config: (env) => ({
      environment: 'global',
      tenantId: env.STRONGROOM_LIVE_AZURE_TENANT_ID,
      clientId: env.STRONGROOM_LIVE_AZURE_CLIENT_ID,
      clientSecret: env.STRONGROOM_LIVE_AZURE_CLIENT_SECRET,
      vaultName: env.STRONGROOM_LIVE_AZURE_VAULT_NAME,
    }),
  },
  {
    kind: 'vault',
    needs: ['STRONGROOM_LIVE_VAULT_URL', 'STRONGROOM_LIVE_VAULT_TOKEN', 'STRONGROOM_LIVE_VAULT_KV_MOUNT', 'STRONGROOM_LIVE_VAULT_BASE_PATH'],
    config: (env) => ({
      url: env.STRONGROOM_LIVE_VAULT_URL,
      auth: { method: 'token', token: env.STRONGROOM_LIVE_VAULT_TOKEN },
      engine: { mount: env.STRONGROOM_LIVE_VAULT_KV_MOUNT, version: 2 },
      basePath: env.STRONGROOM_LIVE_VAULT_BASE_PATH,
    }),
  },
];

const available = (live: LiveKind) => live.needs.every((name) => Boolean(process.env[name]));
for (const live of LIVE.filter((candidate) => !available(candidate))) {
  console.log(`live ${live.kind} run skipped: set ${live.needs.join(', ')} to run it against a real account`);
}

const liveTitle = 'secret managers against real accounts (opt-in)';
describe.skipIf(!LIVE.some(available))(LIVE.some(available) ? liveTitle : `${liveTitle} [skipped: no STRONGROOM_LIVE_* account configured]`, () => {
  const dir = tempDir();
  let core: AppCore;
  beforeAll(async () => {
    core = await startCore(dir.path);
    await createVault(core);
  });
  afterAll(async () => {
    await core?.close();
    dir.remove();
  });

  it.each(LIVE.filter(available))('$kind: test, create, update, reveal, delete', async (live) => {
    const manager = await addManager(core, `live-${live.kind}`, live.kind, live.config(process.env as Record<string, string>));
    const { result } = await call(core, 'managers.test', { id: manager.id });
    expect(result.ok).toBe(true);
    const name = `strongroom-live-${randomBytes(4).toString('hex')}`;
    const secret = await createIn(core, name, 'first live value', manager.id);
    await updateIn(core, secret.id, 'second live value');
    expect(await revealVersion(core, secret.id)).toBe('second live value');
    expect(await revealVersion(core, secret.id, 1)).toBe('first live value');
    await call(core, 'secrets.delete', { id: secret.id });
  });
});
