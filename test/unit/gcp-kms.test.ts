/**
 * Cloud KMS specifics: configuration rules, the emulator's own token and
 * checksum checks (so the provider's paths are tested against something that
 * does reject), integrity checks on responses, error mapping, and that the
 * client reaches nothing but its endpoint.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { startGcpKmsEmulator, encrypterDecrypter, permissions, crc32cBitwise, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import { createTestCa } from '../emulators/test-ca.js';
import { GoogleAuth } from 'google-auth-library';
import * as gcpKms from '../../src-delegate/providers/gcp-kms.js';
import { ProviderError } from '../../src-delegate/providers/provider.js';

const once = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };
const twice = { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } };
let emulator: GcpKmsEmulator;

beforeAll(async () => {
  emulator = await startGcpKmsEmulator();
});

afterAll(async () => {
  await emulator?.close();
});

afterEach(() => emulator.setFaults({}));

const base = () => ({ projectId: emulator.projectId, location: emulator.location, keyRing: emulator.keyRing, keyName: emulator.keyName, endpoint: emulator.endpoint });
const withToken = (token: string, options = once, extra: Partial<gcpKms.GcpKmsConfig> = {}) => gcpKms.create({ ...base(), accessToken: token, ...extra }, options);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('configuration', () => {
  it('takes exactly one of a service account and an access token', () => {
    expect(gcpKms.configSchema.safeParse({ ...base(), accessToken: 't' }).success).toBe(true);
    expect(gcpKms.configSchema.safeParse({ ...base(), serviceAccount: emulator.serviceAccount }).success).toBe(true);
    expect(gcpKms.configSchema.safeParse({ ...base() }).success).toBe(false);
    expect(gcpKms.configSchema.safeParse({ ...base(), accessToken: 't', serviceAccount: emulator.serviceAccount }).success).toBe(false);
  });

  it('applies Cloud KMS resource id rules before any request', () => {
    expect(() => withToken('t', once, { keyRing: 'has space' })).toThrow(ProviderError);
    expect(() => withToken('t', once, { keyName: 'k'.repeat(64) })).toThrow(/keyName/);
    expect(() => withToken('t', once, { projectId: 'UPPER' })).toThrow(/projectId/);
  });

  it('binds the same context to the same AAD whatever the key order', () => {
    expect(gcpKms.contextAad({ b: '2', a: '1' })).toEqual(gcpKms.contextAad({ a: '1', b: '2' }));
    expect(gcpKms.contextAad({})).toHaveLength(0);
  });
});

describe('emulator checks', () => {
  const url = () => `${emulator.endpoint}/v1/${emulator.keyResourceName}:encrypt`;
  const post = (token: string, body: unknown) =>
    fetch(url(), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers INVALID_ARGUMENT to a checksum that does not match', async () => {
    const plaintext = Buffer.from('checked');
    const good = await post(emulator.accessToken, { plaintext: plaintext.toString('base64'), plaintextCrc32c: String(crc32cBitwise(plaintext)) });
    expect(good.status).toBe(200);
    expect(((await good.json()) as { verifiedPlaintextCrc32c: boolean }).verifiedPlaintextCrc32c).toBe(true);
    const bad = await post(emulator.accessToken, { plaintext: plaintext.toString('base64'), plaintextCrc32c: String(crc32cBitwise(plaintext) ^ 1) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT', message: 'The checksum in field plaintext_crc32c did not match the data in field plaintext.' } });
  });

  it('lists and reads key versions', async () => {
    const version = emulator.rotateKey();
    const headers = { authorization: `Bearer ${emulator.accessToken}` };
    const listed = (await (await fetch(`${emulator.endpoint}/v1/${emulator.keyResourceName}/cryptoKeyVersions`, { headers })).json()) as { cryptoKeyVersions: { name: string }[] };
    expect(listed.cryptoKeyVersions.map((v) => v.name)).toContain(version);
    const read = (await (await fetch(`${emulator.endpoint}/v1/${version}`, { headers })).json()) as { name: string; state: number };
    expect(read).toMatchObject({ name: version, state: 1 });
    const key = (await (await fetch(`${emulator.endpoint}/v1/${emulator.keyResourceName}`, { headers })).json()) as { primary: { name: string } };
    expect(key.primary.name).toBe(version);
  });

  function selfSignedJwt(claims: Record<string, unknown>): string {
    const account = emulator.serviceAccount;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: account.private_key_id })}.${encode({ iss: account.client_email, sub: account.client_email, ...claims })}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), createPrivateKey(account.private_key)).toString('base64url')}`;
  }

  it('accepts a self-signed JWT for its audience or scope, and refuses expired or foreign ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = { plaintext: Buffer.from('x').toString('base64') };
    const host = new URL(emulator.endpoint).hostname;
    expect((await post(selfSignedJwt({ aud: `https://${host}/`, iat: now, exp: now + 3600 }), body)).status).toBe(200);
    expect((await post(selfSignedJwt({ scope: 'https://www.googleapis.com/auth/cloud-platform', iat: now, exp: now + 3600 }), body)).status).toBe(200);
    expect((await post(selfSignedJwt({ aud: `https://${host}/`, iat: now - 7200, exp: now - 3600 }), body)).status).toBe(401);
    expect((await post(selfSignedJwt({ aud: 'https://storage.googleapis.com/', iat: now, exp: now + 3600 }), body)).status).toBe(401);
    expect((await post(selfSignedJwt({ aud: `https://${host}/`, iat: now, exp: now + 7200 }), body)).status).toBe(401);
  });
});

describe('provider against the emulator', () => {
  it('signs its own JWT from a service-account key: no token endpoint call', async () => {
    const provider = gcpKms.create({ ...base(), serviceAccount: emulator.serviceAccount }, once);
    const result = await provider.test();
    expect(result.ok).toBe(true);
    expect(result.facts.authentication).toBe(`service account ${emulator.serviceAccount.client_email}`);
  });

  it('passes its test with only the encrypter/decrypter role, warning that key details are hidden', async () => {
    const result = await withToken(emulator.issueToken(encrypterDecrypter)).test();
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => check.ok)).toEqual([false, true]);
    expect(result.warnings.join(' ')).toContain(permissions.getKey);
    // Reading the key's metadata is the viewer role's permission: the hint must not send the admin to the role they already have.
    expect(result.checks[0]!.detail).toContain('Grant roles/cloudkms.viewer');
    expect(result.checks[0]!.detail).not.toContain('cryptoKeyEncrypterDecrypter');
  });

  it('names the missing permission', async () => {
    const encryptOnly = gcpKms.create({ ...base(), serviceAccount: emulator.addServiceAccount([permissions.encrypt]) }, once);
    const { wrapped } = await encryptOnly.wrapKey(randomBytes(32), { a: 'b' });
    const error = await failure(encryptOnly.unwrapKey(wrapped, { a: 'b' }));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.extra.permission).toBe(permissions.decrypt);
  });

  it('retries a response whose checksum does not match, and reports persistent corruption', async () => {
    const provider = withToken(emulator.accessToken, twice);
    emulator.setFaults({ corruptChecksum: { next: 1 } });
    const before = emulator.calls.count('cloudkms:Encrypt');
    const { wrapped } = await provider.wrapKey(randomBytes(32), {});
    expect(emulator.calls.count('cloudkms:Encrypt') - before).toBe(2);
    emulator.setFaults({ corruptChecksum: { next: 2 } });
    const error = await failure(provider.unwrapKey(wrapped, {}));
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.message).toContain('corrupted in transit');
    expect(error.extra.retryable).toBe(true);
  });

  it('takes the retry delay from RetryInfo when throttled', async () => {
    emulator.setFaults({ throttle: { next: 1, retryAfterSeconds: 0.25 } });
    const error = await failure(withToken(emulator.accessToken).wrapKey(randomBytes(32), {}));
    expect(error.code).toBe('THROTTLED');
    expect(error.extra.retryAfterMs).toBe(250);
  });

  it('records the key version and refuses a disabled one as CONFLICT', async () => {
    const provider = withToken(emulator.accessToken);
    const key = randomBytes(32);
    const { wrapped, keyVersion } = await provider.wrapKey(key, {});
    expect(keyVersion).toMatch(new RegExp(`^${emulator.keyResourceName}/cryptoKeyVersions/\\d+$`));
    emulator.setVersionState(keyVersion, 'DISABLED');
    try {
      expect((await failure(provider.unwrapKey(wrapped, {}))).code).toBe('CONFLICT');
      const result = await provider.test();
      expect(result.ok).toBe(false);
      expect(result.facts.errorCode).toBe('CONFLICT');
    } finally {
      emulator.setVersionState(keyVersion, 'ENABLED');
    }
  });

  it('reports a closed port as UNREACHABLE, an unknown CA as TLS_UNTRUSTED, and trusts a caCertificate', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port: closedPort } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await failure(withToken('t', once, { endpoint: `http://127.0.0.1:${closedPort}` }).wrapKey(randomBytes(32), {}))).code).toBe('UNREACHABLE');

    const ca = await createTestCa();
    const tls = createHttpsServer({ cert: ca.certificate, key: ca.key }, (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } }));
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tls.address() as AddressInfo;
      const endpoint = `https://127.0.0.1:${port}`;
      expect((await failure(withToken('t', once, { endpoint }).wrapKey(randomBytes(32), {}))).code).toBe('TLS_UNTRUSTED');
      // Trusted through caCertificate, the request reaches the server and gets its answer.
      expect((await failure(withToken('t', once, { endpoint, caCertificate: ca.caCertificate }).wrapKey(randomBytes(32), {}))).code).toBe('AUTH_FAILED');
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});

describe('only the configured endpoint', () => {
  let trap: Server;
  let connections = 0;
  const saved = { ...process.env };

  beforeAll(async () => {
    trap = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const { port } = trap.address() as AddressInfo;
    // Every detour a client could take leads to the trap: proxies, and the metadata server google-auth-library probes.
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) process.env[name] = `http://127.0.0.1:${port}`;
    process.env.GCE_METADATA_HOST = `127.0.0.1:${port}`;
    process.env.GCE_METADATA_IP = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => trap.close(() => resolve()));
  });

  it('sends nothing to proxies or the metadata server, with a key or a token', async () => {
    const withKey = gcpKms.create({ ...base(), serviceAccount: emulator.serviceAccount }, once);
    expect((await withKey.test()).ok).toBe(true);
    expect((await withToken(emulator.accessToken).test()).ok).toBe(true);
    expect(connections).toBe(0);
  });

  it('would catch a client that looks for default credentials (control)', async () => {
    await new GoogleAuth().getClient().catch(() => undefined);
    expect(connections).toBeGreaterThan(0);
  });
});
