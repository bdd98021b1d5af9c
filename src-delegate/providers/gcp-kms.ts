/**
 * Google Cloud KMS as a key manager, over REST (`fallback: 'rest'`).
 *
 * Authentication never leaves the configured endpoint: a service-account key
 * signs its own short-lived JWT for each request (google-auth-library's JWT
 * client does this without calling token_uri), or a static access token is
 * sent as is. An explicit authClient also keeps the client from probing the
 * GCE metadata server, which it does whenever it has to find credentials.
 *
 * Cloud KMS does not check integrity end to end unless the caller does: we
 * send CRC32C of every plaintext, ciphertext and AAD, and check the
 * `verified…` flags and the checksums of what comes back (Google's data
 * integrity guidance). A mismatch is treated as corruption in transit and
 * retried like a 5xx.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { randomBytes } from 'node:crypto';
import * as gcpKmsConfig from '../../src-shared/manager-configs/gcp-kms.js';
import type { GcpKmsConfig } from '../../src-shared/manager-configs/gcp-kms.js';
export type { GcpKmsConfig } from '../../src-shared/manager-configs/gcp-kms.js';
import { withParsedCaCertificate } from './pem-certificate.js';
import type * as GcpKmsSdk from '@google-cloud/kms';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type * as GoogleAuthSdk from 'google-auth-library';
import type { JWT, OAuth2Client } from 'google-auth-library';
import { lazyPackage } from '../lazy-package.js';
import { NETWORK_ERROR_CODES, ProviderError, TLS_ERROR_CODES, type KeyManager, type ProviderTestResult } from './provider.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';

export const kind = 'gcp-kms';
const gcpKmsSdk = lazyPackage<typeof GcpKmsSdk>('@google-cloud/kms');
const googleAuthSdk = lazyPackage<typeof GoogleAuthSdk>('google-auth-library');

export interface GcpKmsOptions {
  /** Retries of throttled, 5xx and corrupted calls; defaults to DEFAULT_RETRY. */
  retry?: RetryPolicy;
  /** Per-request timeout in ms (default 15,000). */
  timeoutMs?: number;
}

type GaxAuthClient = NonNullable<ConstructorParameters<typeof KeyManagementServiceClient>[0]>['authClient'];

/** The shared schema (src-shared/manager-configs/gcp-kms.ts), with the CA parsed as X.509. */
export const configSchema = withParsedCaCertificate(gcpKmsConfig.configSchema);

/** Cloud KMS accepts up to 64 KiB of plaintext and of AAD. */
const MAX_DATA_BYTES = 65_536;

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli), the checksum Cloud KMS uses; Node 20 has none built in. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The context as AAD: sorted so the same map always gives the same bytes. */
export function contextAad(context: Record<string, string>): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(entries), 'utf8');
}


interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; metadata?: Record<string, string>; retryDelay?: string }[];
}

/**
 * In REST mode with an authClient, failures reach us as the auth client's
 * GaxiosError: the HTTP status in `status` and Google's JSON error body as the
 * message, not as a decoded GoogleError.
 */
/** The predefined role that grants a Cloud KMS permission: reading a key's metadata is the viewer's, not the encrypter/decrypter's. */
function roleGranting(permission: string): string {
  if (permission.startsWith('cloudkms.cryptoKeys.get') || permission.startsWith('cloudkms.cryptoKeyVersions.get') || permission.startsWith('cloudkms.cryptoKeyVersions.list')) {
    return 'roles/cloudkms.viewer';
  }
  return 'roles/cloudkms.cryptoKeyEncrypterDecrypter';
}

function mapGcpError(error: unknown, endpoint: string, what: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as { code?: unknown; status?: unknown; message?: string; name?: string; response?: { headers?: { get(name: string): string | null } } };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && TLS_ERROR_CODES.has(code)) {
    return new ProviderError('TLS_UNTRUSTED', `The TLS certificate of ${endpoint} is not trusted (${code}): check the endpoint, or give its CA as caCertificate.`);
  }
  if ((code && NETWORK_ERROR_CODES.has(code)) || e.name === 'AbortError' || e.name === 'TimeoutError') {
    return new ProviderError('UNREACHABLE', `Cannot reach ${endpoint} (${code ?? 'timed out'}): check the endpoint, the network and any firewall.`);
  }
  let body: GoogleErrorBody = {};
  try {
    body = (JSON.parse(e.message ?? '') as { error?: GoogleErrorBody }).error ?? {};
  } catch {
    // Not a Google error body: fall through with what the status says.
  }
  const httpStatus = typeof e.status === 'number' ? e.status : (body.code ?? 0);
  const status = body.status ?? '';
  const detail = body.message ?? e.message ?? String(error);

  if (status === 'UNAUTHENTICATED' || httpStatus === 401) {
    return new ProviderError('AUTH_FAILED', `Google rejected the credentials while ${what}: check the service account key (it may have been deleted or disabled) or the token's expiry. (${detail})`);
  }
  if (status === 'PERMISSION_DENIED' || httpStatus === 403) {
    const permission = body.details?.find((d) => d.metadata?.permission)?.metadata?.permission ?? /Permission '([^']+)' denied/.exec(detail)?.[1];
    const missing = permission
      ? `the credentials lack ${permission} (or the key does not exist: Google does not say which). Grant ${roleGranting(permission)} on the key`
      : detail;
    return new ProviderError('PERMISSION_DENIED', `Permission denied while ${what}: ${missing}.`, permission ? { permission } : {});
  }
  if (status === 'NOT_FOUND' || httpStatus === 404) return new ProviderError('NOT_FOUND', `Not found while ${what}: ${detail}`);
  if (status === 'RESOURCE_EXHAUSTED' || httpStatus === 429) {
    const hinted = body.details?.find((d) => d.retryDelay)?.retryDelay ?? e.response?.headers?.get('retry-after') ?? undefined;
    const seconds = hinted === undefined ? NaN : Number.parseFloat(hinted);
    return new ProviderError('THROTTLED', `Cloud KMS quota exceeded while ${what}, and the retries ran out: try again in a moment.`, {
      retryable: true,
      ...(Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: Math.round(seconds * 1000) } : {}),
    });
  }
  if (status === 'INVALID_ARGUMENT' && /Decryption failed/.test(detail)) {
    return new ProviderError('INVALID', `The wrapped key was tampered with, or belongs to another key or context, while ${what}.`);
  }
  // FAILED_PRECONDITION also travels as HTTP 400, so the status decides before the HTTP code does.
  if (status === 'FAILED_PRECONDITION' || status === 'ALREADY_EXISTS') return new ProviderError('CONFLICT', `Cloud KMS refused ${what} in the key's current state: ${detail}`);
  if (status === 'INVALID_ARGUMENT' || httpStatus === 400) return new ProviderError('INVALID', `Cloud KMS refused the request while ${what}: ${detail}`);
  if (httpStatus >= 500 || status === 'UNAVAILABLE' || status === 'INTERNAL' || status === 'ABORTED') {
    return new ProviderError('PROVIDER_ERROR', `Cloud KMS failed while ${what} (${status || `HTTP ${httpStatus}`}).`, { retryable: true });
  }
  return new ProviderError('PROVIDER_ERROR', `Cloud KMS failed while ${what}: ${detail}`);
}

const corrupted = (what: string) => new ProviderError('PROVIDER_ERROR', `A checksum did not match while ${what}: the data was corrupted in transit.`, { retryable: true });

export function create(input: GcpKmsConfig, options: GcpKmsOptions = {}): KeyManager {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ProviderError('INVALID', `Invalid Google Cloud KMS configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  const url = new URL(config.endpoint ?? 'https://cloudkms.googleapis.com');
  const endpoint = url.origin;
  const keyName = `projects/${config.projectId}/locations/${config.location}/keyRings/${config.keyRing}/cryptoKeys/${config.keyName}`;
  const agent =
    url.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ...(config.caCertificate ? { ca: [...rootCertificates, config.caCertificate] } : {}) })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const account = config.serviceAccount;
  const { JWT, OAuth2Client } = googleAuthSdk();
  let authClient: JWT | OAuth2Client;
  if (account) {
    authClient = new JWT({ email: account.client_email, key: account.private_key, keyId: account.private_key_id });
  } else {
    authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: config.accessToken });
  }
  // gax hands each request an agent of its own, and gaxios would install a proxy agent from HTTP(S)_PROXY when
  // there is none. Interceptors run after both, so every request leaves through our agent: no proxy, and our CA.
  authClient.transporter.interceptors.request.add({
    resolved: async (request) => {
      request.agent = agent;
      return request;
    },
  });
  const { KeyManagementServiceClient } = gcpKmsSdk();
  const client = new KeyManagementServiceClient({
    fallback: 'rest',
    apiEndpoint: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    protocol: url.protocol.slice(0, -1),
    // google-gax nests its own google-auth-library copy, whose classes differ from ours only in private fields; gax calls just fetch() and getRequestHeaders().
    authClient: authClient as unknown as GaxAuthClient,
  });
  // No code is retried by the client: withRetry owns retries, bounded and jittered.
  const callOptions = { timeout: options.timeoutMs ?? 15_000, retry: { retryCodes: [] } };
  const call = <T>(what: string, run: () => Promise<T>) =>
    withRetry(
      () =>
        run().catch((error: unknown) => {
          throw mapGcpError(error, endpoint, what);
        }),
      options.retry ?? DEFAULT_RETRY,
    );

  const wrapKey: KeyManager['wrapKey'] = async (plaintextKey, context) => {
    const aad = contextAad(context);
    if (plaintextKey.length === 0 || plaintextKey.length > MAX_DATA_BYTES || aad.length > MAX_DATA_BYTES) {
      throw new ProviderError('INVALID', `Cloud KMS encrypts 1 to ${MAX_DATA_BYTES} bytes with at most ${MAX_DATA_BYTES} bytes of context.`);
    }
    const what = `encrypting with ${keyName}`;
    return call(what, async () => {
      const [response] = await client.encrypt(
        {
          name: keyName,
          plaintext: plaintextKey,
          plaintextCrc32c: { value: crc32c(plaintextKey) },
          ...(aad.length ? { additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: { value: crc32c(aad) } } : {}),
        },
        callOptions,
      );
      const ciphertext = response.ciphertext;
      if (!(ciphertext instanceof Uint8Array) || !response.name) throw new ProviderError('PROVIDER_ERROR', 'Cloud KMS returned no ciphertext.');
      const intact =
        response.verifiedPlaintextCrc32c === true &&
        (aad.length === 0 || response.verifiedAdditionalAuthenticatedDataCrc32c === true) &&
        String(response.ciphertextCrc32c?.value) === String(crc32c(ciphertext));
      if (!intact) throw corrupted(what);
      return { wrapped: Buffer.from(ciphertext), keyVersion: response.name };
    });
  };

  const unwrapKey: KeyManager['unwrapKey'] = async (wrapped, context) => {
    const aad = contextAad(context);
    const what = `decrypting with ${keyName}`;
    return call(what, async () => {
      const [response] = await client.decrypt(
        {
          name: keyName,
          ciphertext: wrapped,
          ciphertextCrc32c: { value: crc32c(wrapped) },
          ...(aad.length ? { additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: { value: crc32c(aad) } } : {}),
        },
        callOptions,
      );
      const plaintext = response.plaintext;
      if (!(plaintext instanceof Uint8Array)) throw new ProviderError('PROVIDER_ERROR', 'Cloud KMS returned no plaintext.');
      if (String(response.plaintextCrc32c?.value) !== String(crc32c(plaintext))) throw corrupted(what);
      return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    });
  };

  const test = async (): Promise<ProviderTestResult> => {
    const result: ProviderTestResult = { ok: true, checks: [], facts: {}, warnings: [] };
    result.facts.key = keyName;
    result.facts.authentication = account ? `service account ${account.client_email}` : 'access token';
    if (!account) result.warnings.push('A static access token expires within an hour and cannot be renewed; use a service account key for lasting access.');
    const stage = async (name: string, run: () => Promise<string>): Promise<ProviderError | null> => {
      const started = performance.now();
      try {
        const detail = await run();
        result.checks.push({ name, ok: true, detail: `${detail} (${Math.round(performance.now() - started)} ms)` });
        return null;
      } catch (error) {
        const failure = mapGcpError(error, endpoint, name);
        result.checks.push({ name, ok: false, detail: `${failure.message} (${Math.round(performance.now() - started)} ms)` });
        return failure;
      }
    };
    const fail = (failure: ProviderError) => {
      result.ok = false;
      result.facts.errorCode = failure.code;
      if (failure.extra.permission) result.facts.missingPermission = failure.extra.permission;
      return result;
    };

    const described = await stage('describe key', async () => {
      const [key] = await call(`reading ${keyName}`, () => client.getCryptoKey({ name: keyName }, callOptions));
      result.facts.primaryVersion = key.primary?.name ?? null;
      result.facts.primaryState = String(key.primary?.state ?? 'none');
      result.facts.algorithm = String(key.primary?.algorithm ?? 'unknown');
      result.facts.rotationPeriodSeconds = key.rotationPeriod?.seconds != null ? Number(key.rotationPeriod.seconds) : null;
      if (key.rotationPeriod?.seconds == null) result.warnings.push('The key has no automatic rotation period.');
      if (String(key.purpose) !== 'ENCRYPT_DECRYPT') throw new ProviderError('INVALID', `The key's purpose is ${String(key.purpose)}; Strongroom needs ENCRYPT_DECRYPT.`);
      if (String(key.primary?.state) !== 'ENABLED') throw new ProviderError('CONFLICT', `The primary version is ${String(key.primary?.state ?? 'missing')}, not ENABLED.`);
      return `primary ${key.primary?.name?.split('/').pop() ?? '?'}, ${String(key.primary?.algorithm)}`;
    });
    if (described) {
      // The encrypter/decrypter role cannot read key metadata; that alone must not fail a working manager.
      if (described.code !== 'PERMISSION_DENIED') return fail(described);
      result.warnings.push(`Key details are hidden: the credentials lack ${described.extra.permission ?? 'cloudkms.cryptoKeys.get'} (roles/cloudkms.viewer). Encryption works without it.`);
    }
    const probed = await stage('encrypt/decrypt probe', async () => {
      const probe = randomBytes(32);
      const context = { purpose: 'strongroom-connection-test' };
      const { wrapped, keyVersion } = await wrapKey(probe, context);
      const back = await unwrapKey(wrapped, context);
      if (!back.equals(probe)) throw new ProviderError('PROVIDER_ERROR', 'Decrypt returned different bytes than were encrypted.');
      result.facts.keyVersion = keyVersion;
      return `round trip through version ${keyVersion.split('/').pop()}`;
    });
    return probed ? fail(probed) : result;
  };

  return { role: 'key-manager', kind, wrapKey, unwrapKey, test };
}
