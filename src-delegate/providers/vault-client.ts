/**
 * A small typed client for the parts of HashiCorp Vault's HTTP API that
 * Strongroom uses. Chosen over node-vault (docs/managers-azure-vault.md):
 * node-vault types nearly every response `any` and sends through axios, which
 * honours HTTP(S)_PROXY even for loopback. This client uses node:http(s)
 * directly, so it talks to the configured URL and nothing else, and takes a
 * private CA per client rather than per process.
 *
 * Every failure leaves as a ProviderError; permission errors name the
 * capability the request needed, since Vault's own 403 never says.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { ProviderError, TLS_ERROR_CODES } from './provider.js';

export interface VaultClientOptions {
  url: string;
  namespace?: string;
  /** PEM of a private CA, trusted in addition to the public roots. */
  caCertificate?: string;
  timeoutMs?: number;
}

/** Vault's response envelope. */
export interface VaultEnvelope<Data> {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Data;
  warnings: string[] | null;
  auth: VaultAuth | null;
}

export interface VaultAuth {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
}

export interface TokenLookup {
  accessor: string;
  display_name: string;
  /** RFC 3339, or null for tokens that never expire (root). */
  expire_time: string | null;
  explicit_max_ttl: number;
  meta: Record<string, string> | null;
  path: string;
  policies: string[];
  renewable: boolean;
  /** Seconds left; 0 for tokens that never expire. */
  ttl: number;
  type: string;
}

export interface MountInfo {
  type: string;
  description: string;
  options: Record<string, string> | null;
}

export interface KvV2VersionMetadata {
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

/** A KV v2 secret's metadata: every version the store still knows, by number. */
export interface KvV2Metadata {
  current_version: number;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
}

export interface KvV2Secret {
  data: Record<string, unknown> | null;
  metadata: KvV2VersionMetadata;
}

export interface SecretIdLookup {
  creation_time: string;
  /** RFC 3339; Vault answers the zero time `0001-01-01T00:00:00Z` for secret ids that never expire. */
  expiration_time: string;
  secret_id_num_uses: number;
  secret_id_ttl: number;
}

export interface SshSignature {
  serial_number: string;
  signed_key: string;
}

type Method = 'GET' | 'POST' | 'DELETE';

interface RequestSpec {
  method: Method;
  /** Path after /v1/, segments already encoded. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Whether to send the client token; login sends none. */
  authenticated?: boolean;
  /** The capability this request needs, named in permission errors. */
  capability: string;
}


/** Encodes each segment of a Vault path, keeping the slashes between them. */
export const encodePath = (...parts: string[]) =>
  parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .map(encodeURIComponent)
    .join('/');

export class VaultClient {
  /** The client token sent as X-Vault-Token; set after a login. */
  token: string | null = null;
  private readonly base: URL;
  private readonly agent: HttpsAgent | undefined;

  constructor(private readonly options: VaultClientOptions) {
    this.base = new URL(options.url.replace(/\/+$/, '') + '/');
    this.agent =
      this.base.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, ...(options.caCertificate ? { ca: [...rootCertificates, options.caCertificate] } : {}) })
        : undefined;
  }

  close(): void {
    this.agent?.destroy();
  }

  lookupSelf(): Promise<TokenLookup> {
    return this.data<TokenLookup>({ method: 'GET', path: 'auth/token/lookup-self', capability: 'read' });
  }

  async renewSelf(incrementSeconds?: number): Promise<VaultAuth> {
    const envelope = await this.send<null>({ method: 'POST', path: 'auth/token/renew-self', body: incrementSeconds ? { increment: incrementSeconds } : {}, capability: 'update' });
    if (!envelope?.auth) throw new ProviderError('PROVIDER_ERROR', 'Vault renewed the token but returned no auth block.');
    return envelope.auth;
  }

  /** Revokes the client token (every token may revoke itself). */
  async revokeSelf(): Promise<void> {
    await this.send({ method: 'POST', path: 'auth/token/revoke-self', body: {}, capability: 'update' });
  }

  async appRoleLogin(mount: string, roleId: string, secretId: string): Promise<VaultAuth> {
    try {
      const envelope = await this.send<null>({
        method: 'POST',
        path: encodePath('auth', mount, 'login'),
        body: { role_id: roleId, secret_id: secretId },
        authenticated: false,
        capability: 'update',
      });
      if (!envelope?.auth) throw new ProviderError('PROVIDER_ERROR', 'Vault accepted the AppRole login but returned no token.');
      return envelope.auth;
    } catch (error) {
      // Vault answers a wrong or expired role id / secret id with 400.
      if (error instanceof ProviderError && error.code === 'INVALID') {
        throw new ProviderError('AUTH_FAILED', `Vault rejected the AppRole login: ${error.message}`);
      }
      throw error;
    }
  }

  /** Capabilities of the client token on each path; `root` means all, `deny` none. */
  async capabilitiesSelf(paths: string[]): Promise<Record<string, string[]>> {
    const envelope = await this.send<Record<string, string[]>>({ method: 'POST', path: 'sys/capabilities-self', body: { paths }, capability: 'update' });
    const data = envelope?.data ?? {};
    return Object.fromEntries(paths.map((path) => [path, data[path] ?? ['deny']]));
  }

  /** All mounts (needs read on sys/mounts). */
  mounts(): Promise<Record<string, MountInfo>> {
    return this.data<Record<string, MountInfo>>({ method: 'GET', path: 'sys/mounts', capability: 'read' });
  }

  /** The mounts this token can use, which the default policy lets every token read. */
  async visibleMounts(): Promise<Record<string, MountInfo>> {
    const data = await this.data<{ secret: Record<string, MountInfo> }>({ method: 'GET', path: 'sys/internal/ui/mounts', capability: 'read' });
    return data.secret ?? {};
  }

  kvV1Read(mount: string, path: string): Promise<Record<string, unknown>> {
    return this.data<Record<string, unknown>>({ method: 'GET', path: encodePath(mount, path), capability: 'read' });
  }

  async kvV1Write(mount: string, path: string, data: Record<string, unknown>): Promise<void> {
    await this.send({ method: 'POST', path: encodePath(mount, path), body: data, capability: 'create/update' });
  }

  async kvV1Delete(mount: string, path: string): Promise<void> {
    await this.send({ method: 'DELETE', path: encodePath(mount, path), capability: 'delete' });
  }

  kvV2Read(mount: string, path: string, version?: number): Promise<KvV2Secret> {
    return this.data<KvV2Secret>({ method: 'GET', path: encodePath(mount, 'data', path), ...(version ? { query: { version: String(version) } } : {}), capability: 'read' });
  }

  /** With `cas: 0` Vault writes only when the path holds no secret at all (not even deleted versions), atomically. */
  kvV2Write(mount: string, path: string, data: Record<string, unknown>, options: { cas?: number } = {}): Promise<KvV2VersionMetadata> {
    const body = options.cas === undefined ? { data } : { data, options: { cas: options.cas } };
    return this.data<KvV2VersionMetadata>({ method: 'POST', path: encodePath(mount, 'data', path), body, capability: 'create/update' });
  }

  kvV2Metadata(mount: string, path: string): Promise<KvV2Metadata> {
    return this.data<KvV2Metadata>({ method: 'GET', path: encodePath(mount, 'metadata', path), capability: 'read' });
  }

  /** Destroys these versions' data for good, leaving the secret's other versions and its metadata. */
  async kvV2Destroy(mount: string, path: string, versions: number[]): Promise<void> {
    await this.send({ method: 'POST', path: encodePath(mount, 'destroy', path), body: { versions }, capability: 'update' });
  }

  /** Removes every version and the metadata of a KV v2 secret. */
  async kvV2DeleteAll(mount: string, path: string): Promise<void> {
    await this.send({ method: 'DELETE', path: encodePath(mount, 'metadata', path), capability: 'delete' });
  }

  /** Looks up a secret id's expiry; null when Vault does not know the id. */
  async secretIdLookup(mount: string, roleName: string, secretId: string): Promise<SecretIdLookup | null> {
    const envelope = await this.send<SecretIdLookup>({ method: 'POST', path: encodePath('auth', mount, 'role', roleName, 'secret-id', 'lookup'), body: { secret_id: secretId }, capability: 'update' });
    return envelope?.data ?? null;
  }

  /** An SSH engine role's settings; NOT_FOUND when the engine has no such role. */
  sshRole(mount: string, role: string): Promise<Record<string, unknown>> {
    return this.data<Record<string, unknown>>({ method: 'GET', path: encodePath(mount, 'roles', role), capability: 'read' });
  }

  sshSign(mount: string, role: string, request: { public_key: string; valid_principals: string; cert_type: 'user'; ttl?: number }): Promise<SshSignature> {
    return this.data<SshSignature>({ method: 'POST', path: encodePath(mount, 'sign', role), body: request, capability: 'update' });
  }

  private async data<Data>(spec: RequestSpec): Promise<Data> {
    const envelope = await this.send<Data>(spec);
    if (!envelope || envelope.data === undefined || envelope.data === null) throw new ProviderError('PROVIDER_ERROR', `Vault returned no data for ${spec.path}.`);
    return envelope.data;
  }

  /** One request; null for 204 No Content. */
  async send<Data>(spec: RequestSpec): Promise<VaultEnvelope<Data> | null> {
    const url = new URL(`v1/${spec.path}`, this.base);
    for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.namespace) headers['x-vault-namespace'] = this.options.namespace;
    if (spec.authenticated !== false) {
      if (!this.token) throw new ProviderError('AUTH_FAILED', 'No Vault token: log in first.');
      headers['x-vault-token'] = this.token;
    }
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const { status, text, retryAfter } = await this.exchange(url, spec.method, headers, payload);
    let body: { errors?: string[]; warnings?: string[] } & Partial<VaultEnvelope<Data>> = {};
    if (text) {
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        if (status < 300) throw new ProviderError('PROVIDER_ERROR', `Vault answered ${spec.path} with something other than JSON.`);
      }
    }
    if (status === 204) return null;
    if (status >= 200 && status < 300) return body as VaultEnvelope<Data>;
    throw failure(status, body.errors ?? [], spec, retryAfter);
  }

  private exchange(url: URL, method: Method, headers: Record<string, string>, payload: string | undefined): Promise<{ status: number; text: string; retryAfter: string | undefined }> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(url, { method, headers, ...(this.agent ? { agent: this.agent } : {}), timeout: this.options.timeoutMs ?? 30_000 }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(networkFailure(error, url)));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: response.headers['retry-after'] }),
        );
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      request.on('error', (error) => reject(networkFailure(error, url)));
      request.end(payload);
    });
  }
}

function networkFailure(error: Error & { code?: string }, url: URL): ProviderError {
  const code = error.code ?? '';
  if (TLS_ERROR_CODES.has(code)) {
    return new ProviderError('TLS_UNTRUSTED', `Vault at ${url.host} presented a TLS certificate that is not trusted (${code}). Add its CA certificate to the manager.`);
  }
  return new ProviderError('UNREACHABLE', `Vault at ${url.host} cannot be reached (${code || error.message}).`, { retryable: code === 'ECONNRESET' });
}

function failure(status: number, errors: string[], spec: RequestSpec, retryAfter: string | undefined): ProviderError {
  const said = errors.map((error) => error.replace(/^\d+ errors? occurred:\s*/, '').replace(/\s*\n\s*\*?\s*/g, '; ').replace(/^[;\s]+|[;\s]+$/g, '')).join('; ');
  const what = `${spec.method} ${spec.path}`;
  if (status === 403) {
    // Older Vaults say only "permission denied" for a dead token; lookup-self is allowed to every live token, so a 403 there means the same.
    if (/invalid token/i.test(said) || spec.path === 'auth/token/lookup-self') {
      return new ProviderError('AUTH_FAILED', `Vault rejected the token (expired, revoked or unknown) on ${what}.`);
    }
    const permission = `${spec.capability} on ${spec.path}`;
    return new ProviderError('PERMISSION_DENIED', `Vault denied ${what}: the token's policies lack the "${spec.capability}" capability on ${spec.path}.`, { permission });
  }
  if (status === 404) return new ProviderError('NOT_FOUND', `Vault has nothing at ${spec.path}${said ? ` (${said})` : ''}.`);
  if (status === 429) {
    const seconds = Number(retryAfter);
    return new ProviderError('THROTTLED', `Vault is rate-limiting requests (${said || 'quota exceeded'}).`, {
      retryable: true,
      ...(Number.isFinite(seconds) && retryAfter !== undefined ? { retryAfterMs: seconds * 1000 } : {}),
    });
  }
  if (status === 412) return new ProviderError('CONFLICT', `Vault refused ${what}: ${said || 'precondition failed'}.`, { retryable: true });
  if (status === 413 || /value being too large/.test(said)) return new ProviderError('INVALID', `Vault refused ${what}: the value is too large (${said}).`);
  if (status === 400) return new ProviderError('INVALID', `Vault refused ${what}: ${said || 'bad request'}.`);
  if (status >= 500) return new ProviderError('PROVIDER_ERROR', `Vault failed ${what} (${status}${said ? `: ${said}` : ''}).`, { retryable: true });
  return new ProviderError('PROVIDER_ERROR', `Vault answered ${what} with ${status}${said ? `: ${said}` : ''}.`);
}
