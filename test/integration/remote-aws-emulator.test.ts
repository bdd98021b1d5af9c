// The migration bench's emulators run in processes of their own (test/bench/aws-emulator-process.ts). Out of
// process, each is still the test emulator that checks every signature, and it counts, slows and times the calls
// it serves as the bench asks over the IPC channel.
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/core-harness.js';
import { startRemoteAwsEmulator, type RemoteAwsEmulator } from '../bench/remote-aws-emulator.js';

const ENTRY = join(REPO_ROOT, 'dist', 'bench', 'aws-emulator-process.js');

describe('an AWS emulator in a process of its own', () => {
  let emulator: RemoteAwsEmulator;
  beforeAll(async () => {
    emulator = await startRemoteAwsEmulator(ENTRY);
  }, 60_000);
  afterAll(async () => {
    await emulator?.close();
  });

  const client = (secretAccessKey: string) =>
    new SecretsManagerClient({ region: emulator.region, endpoint: emulator.endpoint, maxAttempts: 1, credentials: { ...emulator.credentials, secretAccessKey } });

  it('serves in another process and refuses a request signed with the wrong secret', async () => {
    expect(emulator.pid).not.toBe(process.pid);
    const wrong = client('not-the-secret-it-issued');
    await expect(wrong.send(new GetSecretValueCommand({ SecretId: 'any' }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    wrong.destroy();
  });

  it('counts the calls it served, and times them once asked to', async () => {
    const before = await emulator.calls('secretsmanager:GetSecretValue');
    await emulator.installProbe();
    await emulator.setLatency(5);
    const signed = client(emulator.credentials.secretAccessKey);
    await expect(signed.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    signed.destroy();
    expect(await emulator.calls('secretsmanager:GetSecretValue')).toBe(before + 1);
    const reading = await emulator.readProbe();
    expect(reading.exchanges.count).toBe(1);
  });

  it('answers a malformed request from the bench with an error, and keeps serving', async () => {
    await expect(emulator.setLatency(-1)).rejects.toThrow('bad request');
    expect(await emulator.calls('secretsmanager:*')).toBeGreaterThan(0);
  });
});
