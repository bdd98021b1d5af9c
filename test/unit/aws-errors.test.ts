/**
 * AWS failures as an admin sees them: each produced for real (SDK against the
 * emulator, a closed port, an untrusted certificate) and checked for the
 * ProviderError code and the actionable part of the message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { createTestCa } from '../emulators/test-ca.js';
import * as awsKms from '../../src-delegate/providers/aws-kms.js';
import * as awsSecretsManager from '../../src-delegate/providers/aws-secrets-manager.js';
import { serviceEndpoint } from '../../src-delegate/providers/aws-common.js';
import { ProviderError } from '../../src-delegate/providers/provider.js';

const once = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };
let emulator: AwsEmulator;

beforeAll(async () => {
  emulator = await startAwsEmulator();
});

afterAll(async () => {
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

function kmsWith(credentials = emulator.credentials, extra: Partial<awsKms.AwsKmsConfig> = {}) {
  return awsKms.create({ region: emulator.region, endpoint: emulator.endpoint, credentials, keyArn: emulator.keyArn, ...extra }, once);
}

describe('AWS error mapping', () => {
  it('names the missing permission from AccessDeniedException', async () => {
    const encryptOnly = kmsWith(emulator.addUser(['kms:Encrypt'], 'encrypt-only'));
    const { wrapped } = await encryptOnly.wrapKey(randomBytes(32), { a: 'b' });
    const error = await failure(encryptOnly.unwrapKey(wrapped, { a: 'b' }));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.extra.permission).toBe('kms:Decrypt');
    expect(error.message).toContain('lack kms:Decrypt');
  });

  it('treats a denied DescribeKey as a warning when the probe works', async () => {
    const result = await kmsWith(emulator.addUser(['kms:Encrypt', 'kms:Decrypt'])).test();
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['describe key', false],
      ['encrypt/decrypt probe', true],
    ]);
    expect(result.warnings.join(' ')).toContain('kms:DescribeKey');
  });

  it('fails the test of a disabled key as CONFLICT, naming the state', async () => {
    const keyArn = emulator.createKey('disabled');
    emulator.setKeyState(keyArn, 'Disabled');
    const provider = kmsWith(emulator.credentials, { keyArn });
    const result = await provider.test();
    expect(result.ok).toBe(false);
    expect(result.facts.errorCode).toBe('CONFLICT');
    expect(result.facts.keyState).toBe('Disabled');
    expect((await failure(provider.wrapKey(randomBytes(32), {}))).code).toBe('CONFLICT');
  });

  it('warns before a key scheduled for deletion takes its secrets with it', async () => {
    const keyArn = emulator.createKey('doomed');
    emulator.setKeyState(keyArn, 'PendingDeletion');
    const result = await kmsWith(emulator.credentials, { keyArn }).test();
    expect(result.ok).toBe(false);
    expect(result.warnings.join(' ')).toContain('scheduled for deletion');
  });

  it('reports throttling with the Retry-After hint', async () => {
    emulator.setFaults({ throttle: { next: 1, retryAfterSeconds: 2 } });
    try {
      const error = await failure(kmsWith().wrapKey(randomBytes(32), {}));
      expect(error.code).toBe('THROTTLED');
      expect(error.extra).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    } finally {
      emulator.setFaults({});
    }
  });

  it('marks 5xx retryable and ends in PROVIDER_ERROR when they persist', async () => {
    emulator.setFaults({ serverError: { next: 1, status: 503 } });
    const error = await failure(kmsWith().wrapKey(randomBytes(32), {}));
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.extra.retryable).toBe(true);
  });

  it('refuses a key ARN of another region before any request', () => {
    expect(() => kmsWith(emulator.credentials, { keyArn: emulator.keyArn.replace(emulator.region, 'eu-west-1') })).toThrow(/key ARN names region eu-west-1, not /);
  });

  it('reports a closed port as UNREACHABLE', async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const provider = awsKms.create({ region: emulator.region, endpoint: `http://127.0.0.1:${port}`, credentials: emulator.credentials, keyArn: emulator.keyArn }, once);
    const error = await failure(provider.wrapKey(randomBytes(32), {}));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
    const result = await provider.test();
    expect(result.facts.errorCode).toBe('UNREACHABLE');
  });

  it('reports a certificate from an unknown CA as TLS_UNTRUSTED, and trusts it once given as caCertificate', async () => {
    const ca = await createTestCa();
    const server = createHttpsServer({ cert: ca.certificate, key: ca.key }, (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const config = { region: emulator.region, endpoint: `https://127.0.0.1:${port}`, credentials: emulator.credentials, namePrefix: 'p/' };
      const error = await failure(awsSecretsManager.create(config, once).get('p/x'));
      expect(error.code).toBe('TLS_UNTRUSTED');
      expect(error.message).toContain('caCertificate');
      // Past TLS, the request reaches the server and gets its answer.
      expect((await failure(awsSecretsManager.create({ ...config, caCertificate: ca.caCertificate }, once).get('p/x'))).code).toBe('AUTH_FAILED');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('keys behind aliases', () => {
  it('records the key an alias points at, and unwraps after the alias moves to another key', async () => {
    const first = emulator.createKey('first');
    const aliasArn = emulator.createAlias(`alias/moving-${randomBytes(3).toString('hex')}`, first);
    const provider = kmsWith(emulator.credentials, { keyArn: aliasArn });
    const key = randomBytes(32);
    const before = await provider.wrapKey(key, { s: '1' });
    // The key's ARN, then the key material the wrap is bound to.
    expect(before.keyVersion).toMatch(new RegExp(`^${first}#[0-9a-f]{64}$`));
    const second = emulator.createKey('second');
    emulator.createAlias(aliasArn.split(':').pop()!, second);
    const after = await provider.wrapKey(key, { s: '2' });
    expect(after.keyVersion).toMatch(new RegExp(`^${second}#[0-9a-f]{64}$`));
    expect((await provider.unwrapKey(before.wrapped, { s: '1' })).equals(key)).toBe(true);
    expect((await provider.unwrapKey(after.wrapped, { s: '2' })).equals(key)).toBe(true);
  });

  it('refuses, with a key ARN configured, a ciphertext of another key', async () => {
    const other = kmsWith(emulator.credentials, { keyArn: emulator.createKey('other') });
    const { wrapped } = await other.wrapKey(randomBytes(32), {});
    expect((await failure(kmsWith().unwrapKey(wrapped, {}))).code).toBe('INVALID');
  });
});

describe('the emulator KMS surface', () => {
  it('generates data keys bound to their encryption context', async () => {
    const client = new KMSClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { ...emulator.credentials }, maxAttempts: 1 });
    try {
      const generated = await client.send(new GenerateDataKeyCommand({ KeyId: emulator.keyArn, KeySpec: 'AES_256', EncryptionContext: { purpose: 'test' } }));
      expect(generated.Plaintext).toHaveLength(32);
      const decrypted = await client.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { purpose: 'test' } }));
      expect(Buffer.from(decrypted.Plaintext!).equals(Buffer.from(generated.Plaintext!))).toBe(true);
      const wrongContext = await client.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })).catch((e: Error) => e);
      expect((wrongContext as Error).name).toBe('InvalidCiphertextException');
      const tooLong = await client.send(new EncryptCommand({ KeyId: emulator.keyArn, Plaintext: randomBytes(4097) })).catch((e: Error) => e);
      expect((tooLong as Error).name).toBe('ValidationException');
    } finally {
      client.destroy();
    }
  });
});

describe('assume role', () => {
  function roleProvider(externalId: string | undefined) {
    const caller = emulator.addUser(['sts:AssumeRole'], 'role-caller');
    const roleArn = emulator.addRole({ name: `role-${randomBytes(3).toString('hex')}`, allow: ['kms:*'], externalId: 'expected-external-id' });
    return awsKms.create(
      {
        region: emulator.region,
        endpoint: emulator.endpoint,
        stsEndpoint: emulator.endpoint,
        credentials: caller,
        assumeRole: { roleArn, externalId, durationSeconds: 3600 },
        keyArn: emulator.keyArn,
      },
      once,
    );
  }

  it('assumes the role once and reuses its credentials until they near expiry', async () => {
    const provider = roleProvider('expected-external-id');
    const before = emulator.calls.count('sts:AssumeRole');
    const result = await provider.test();
    await provider.wrapKey(randomBytes(32), {});
    expect(result.ok).toBe(true);
    expect(emulator.calls.count('sts:AssumeRole') - before).toBe(1);
    expect(Date.parse(String(result.facts.credentialsExpireAt))).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(result.facts.authentication).toMatch(/^assumed role arn:aws:iam::/);
  });

  it('reports a wrong external id as PERMISSION_DENIED on sts:AssumeRole', async () => {
    const error = await failure(roleProvider('wrong-external-id').wrapKey(randomBytes(32), {}));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.extra.permission).toBe('sts:AssumeRole');
    expect(error.message).toContain('assuming role');
  });
});

describe('only the configured endpoint', () => {
  let trap: NetServer;
  let connections = 0;
  const saved = { ...process.env };

  beforeAll(async () => {
    trap = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    // Every detour the SDK could take leads to the trap: proxies, endpoint variables, and the instance and container metadata services.
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KMS', 'AWS_ENDPOINT_URL_STS', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
      process.env[name] = at;
    }
  });

  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => trap.close(() => resolve()));
  });

  it('sends nothing anywhere but the configured endpoints, static keys or assumed role', async () => {
    expect((await kmsWith().test()).ok).toBe(true);
    const caller = emulator.addUser(['sts:AssumeRole']);
    const roleArn = emulator.addRole({ name: 'trap-role', allow: ['kms:*'] });
    const assumed = awsKms.create(
      { region: emulator.region, endpoint: emulator.endpoint, stsEndpoint: emulator.endpoint, credentials: caller, assumeRole: { roleArn, durationSeconds: 900 }, keyArn: emulator.keyArn },
      once,
    );
    expect((await assumed.test()).ok).toBe(true);
    expect(connections).toBe(0);
  });

  it('would catch a client left to the default credential chain (control)', async () => {
    const client = new KMSClient({ region: emulator.region, endpoint: emulator.endpoint, maxAttempts: 1 });
    await client.send(new DescribeKeyCommand({ KeyId: emulator.keyArn })).catch(() => undefined);
    client.destroy();
    expect(connections).toBeGreaterThan(0);
  });

  it('writes the regional endpoint out instead of leaving it to the SDK', () => {
    const connection = { region: 'eu-west-1', credentials: emulator.credentials };
    expect(serviceEndpoint(connection, 'kms')).toBe('https://kms.eu-west-1.amazonaws.com');
    expect(serviceEndpoint(connection, 'sts')).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(serviceEndpoint({ ...connection, region: 'cn-north-1' }, 'secretsmanager')).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn');
  });
});
