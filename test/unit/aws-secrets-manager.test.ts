/**
 * AWS Secrets Manager specifics the conformance suite does not cover:
 * `name#jsonKey` references, the prefix as a write and delete boundary, the
 * recovery window, and the emulator's own enforcement of AWS's rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import * as awsSecretsManager from '../../src-delegate/providers/aws-secrets-manager.js';
import { parseReference } from '../../src-delegate/providers/aws-secrets-manager.js';
import { ProviderError, type SecretStore } from '../../src-delegate/providers/provider.js';

let emulator: AwsEmulator;
let admin: SecretsManagerClient;
let store: SecretStore;
const prefix = 'strongroom/test/';

beforeAll(async () => {
  emulator = await startAwsEmulator();
  // A copy: the SDK tags the credentials object it is given ($source), which a strict config schema then refuses.
  admin = new SecretsManagerClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { ...emulator.credentials }, maxAttempts: 1 });
  store = awsSecretsManager.create({ region: emulator.region, endpoint: emulator.endpoint, credentials: emulator.credentials, namePrefix: prefix, recoveryWindowDays: 7 });
});

afterAll(async () => {
  admin?.destroy();
  await emulator?.close();
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

async function seed(value: string): Promise<string> {
  const name = `external/app-${randomBytes(4).toString('hex')}`;
  await admin.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return name;
}

describe('references', () => {
  it('parses name#jsonKey, plain names and ARNs', () => {
    expect(parseReference('prod/db#password')).toEqual({ secretId: 'prod/db', jsonKey: 'password' });
    expect(parseReference('prod/db')).toEqual({ secretId: 'prod/db', jsonKey: null });
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf';
    expect(parseReference(`${arn}#user`)).toEqual({ secretId: arn, jsonKey: 'user' });
    expect(() => parseReference('has space#k')).toThrow(ProviderError);
    expect(() => parseReference('prod/db#')).toThrow(/names no JSON key/);
  });

  it('reads a JSON key as text, and other JSON values as JSON', async () => {
    const name = await seed(JSON.stringify({ password: 'hunter2-long-enough', port: 5432, options: { tls: true } }));
    expect((await store.readReference(`${name}#password`)).value).toBe('hunter2-long-enough');
    expect((await store.readReference(`${name}#port`)).value).toBe('5432');
    expect((await store.readReference(`${name}#options`)).value).toBe('{"tls":true}');
    expect((await store.get(`${name}#password`)).value).toBe('hunter2-long-enough');
  });

  it('says which key is missing, and when the secret is not JSON', async () => {
    const json = await seed('{"user":"app"}');
    const missing = await failure(store.readReference(`${json}#password`));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('no JSON key "password"');
    const plain = await seed('not json at all');
    expect((await failure(store.readReference(`${plain}#password`))).code).toBe('INVALID');
  });

  it('never deletes a secret outside its prefix, nor by ARN', async () => {
    const name = await seed('keep me');
    const before = emulator.calls.count('secretsmanager:DeleteSecret');
    expect((await failure(store.delete(name, { versions: [], created: true }))).code).toBe('INVALID');
    expect((await failure(store.delete(`arn:aws:secretsmanager:us-east-1:111122223333:secret:${prefix}x-AbCdEf`, { versions: [], created: true }))).code).toBe('INVALID');
    expect(emulator.calls.count('secretsmanager:DeleteSecret')).toBe(before);
    expect((await store.readReference(name)).value).toBe('keep me');
  });
});

describe('writes and deletes', () => {
  it('deletes with the recovery window, never forcing', async () => {
    const { reference, versionId } = await store.put('to-delete', 'gone soon', 'create');
    expect(await store.delete(reference, { versions: [versionId], created: true })).toMatchObject({ removed: 'secret' });
    const described = await admin.send(new DescribeSecretCommand({ SecretId: reference }));
    expect(described.DeletedDate).toBeInstanceOf(Date);
    // Still restorable: the secret exists, marked for deletion.
    expect((await failure(store.get(reference))).code).toBe('CONFLICT');
    // Deleting again, or something already gone, is done.
    expect(await store.delete(reference, { versions: [versionId], created: true })).toMatchObject({ removed: 'nothing' });
    expect(await store.delete(`${prefix}never-existed`, { versions: [], created: true })).toMatchObject({ removed: 'nothing' });
  });

  it('refuses to reuse a name scheduled for deletion, saying so', async () => {
    const { reference, versionId } = await store.put('recycled', 'v1', 'create');
    await store.delete(reference, { versions: [versionId], created: true });
    const error = await failure(store.put('recycled', 'v2', 'overwrite'));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('scheduled for deletion');
  });

  it('counts the prefix in the name length', () => {
    expect(store.checkName('a'.repeat(512 - prefix.length))).toBeNull();
    expect(store.checkName('a'.repeat(512 - prefix.length + 1))).toMatch(/512/);
  });

  it('lists only its prefix in the connection test', async () => {
    await seed('outside the prefix');
    const other = awsSecretsManager.create({ region: emulator.region, endpoint: emulator.endpoint, credentials: emulator.credentials, namePrefix: 'empty-prefix/' });
    const result = await other.test();
    expect(result.ok).toBe(true);
    expect(result.facts.secretsUnderPrefix).toBe(0);
  });
});

describe('what every request carries', () => {
  it('is signed afresh each time with one signer, and names neither this computer nor the SDK', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf', Name: 'x', VersionId: 'v1', SecretString: 'recorded value' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const recorded = awsSecretsManager.create({ region: 'eu-west-1', endpoint, credentials: { ...emulator.credentials }, namePrefix: prefix });
      expect(await recorded.get(`${prefix}x`)).toEqual({ value: 'recorded value', versionId: 'v1' });
      expect(await recorded.get(`${prefix}x`, 'v1')).toEqual({ value: 'recorded value', versionId: 'v1' });
      expect(seen).toHaveLength(2);
      for (const headers of seen) {
        expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\S+\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/);
        expect(headers['user-agent']).toBeUndefined();
        expect(headers['x-amz-user-agent']).toBeUndefined();
      }
      // Different bodies: each request has a signature of its own, not one replayed.
      expect(seen[0]!.authorization).not.toBe(seen[1]!.authorization);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the emulator enforces AWS rules itself', () => {
  it('rejects invalid names and oversized values from any client', async () => {
    const badName = await admin.send(new CreateSecretCommand({ Name: 'bad name', SecretString: 'x' })).catch((e: Error) => e);
    expect((badName as Error).name).toBe('ValidationException');
    const tooBig = await admin.send(new CreateSecretCommand({ Name: 'big', SecretString: 'x'.repeat(65_537) })).catch((e: Error) => e);
    expect((tooBig as Error).name).toBe('ValidationException');
  });
});
