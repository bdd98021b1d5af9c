/**
 * HashiCorp Vault as a secret store: KV v1 and v2, token and AppRole auth,
 * namespaces, a token renewal loop that pauses after repeated failures and
 * says so, the read-only mode, and the SSH secrets engine for Vault-signed
 * certificates. Talks through vault-client.ts (why not node-vault: see there).
 *
 * Layout: a secret Strongroom writes lives at `<mount>/<basePath>/<name>`
 * under the key `value`, and its reference is `<basePath>/<name>#value`.
 * References are `path#key`, the path relative to the engine mount.
 */
import { z } from 'zod';
import * as vaultConfig from '../../src-shared/manager-configs/vault.js';
import type { VaultConfig, VaultConfigInput, VaultConnection, VaultConnectionInput } from '../../src-shared/manager-configs/vault.js';
export type { VaultConfig, VaultConfigInput, VaultConnection, VaultConnectionInput } from '../../src-shared/manager-configs/vault.js';
import { withParsedCaCertificate } from './pem-certificate.js';
import {
  ProviderError,
  type ProviderTestResult,
  type SecretStore,
  type SshCertificateSigner,
  type StoredValue,
  type TokenRenewal,
  type TokenRenewalStatus,
} from './provider.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { VaultClient, type TokenLookup } from './vault-client.js';

export const kind = 'vault';

/** Vault's storage backends cap an entry at 512 KiB (Consul) or 1 MiB (integrated storage); this fits both with room for the envelope. */
export const MAX_VALUE_BYTES = 512 * 1024;
const MAX_NAME_LENGTH = 255;
const VALUE_KEY = 'value';
const FAILURES_BEFORE_PAUSE = 3;
const EXPIRY_WARNING_SECONDS = 24 * 3600;
const NEVER = '0001-01-01T00:00:00Z';
/** Revoking on close must not hold a lock up when Vault is slow or gone. */
const REVOKE_TIMEOUT_MS = 3000;

const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, '');

/** The shared schemas (src-shared/manager-configs/vault.ts), with the CA parsed as X.509. */
export const connectionSchema = withParsedCaCertificate(vaultConfig.connectionSchema);
export const configSchema = withParsedCaCertificate(vaultConfig.configSchema);

export interface VaultStoreOptions {
  retry?: RetryPolicy;
  /** Called on every change of the renewal loop's state, including the pause after repeated failures. */
  onStatus?: (status: TokenRenewalStatus) => void;
}

export interface VaultMount {
  path: string;
  type: string;
  /** KV version for `kv` mounts, null otherwise. */
  version: 1 | 2 | null;
  description: string;
}

export interface VaultStore extends SecretStore {
  readonly kind: typeof kind;
  /** The SSH secrets engine, for Vault-signed certificates. */
  readonly sshSigner: SshCertificateSigner;
  readonly tokenRenewal: TokenRenewal;
  /** Stops the renewal loop, revokes a token it got from an AppRole login, and releases the connection pool. */
  close(): Promise<void>;
}

export function create(input: VaultConfigInput, options: VaultStoreOptions = {}): VaultStore {
  const config = parse(configSchema, input);
  const retry = options.retry ?? DEFAULT_RETRY;
  const session = new Session(config);
  const mount = config.engine.mount;
  const renewal = new RenewalLoop(session, config.renewalIntervalSeconds, options.onStatus);

  const retried = <T>(operation: (client: VaultClient) => Promise<T>) => withRetry(() => session.run(operation), retry);

  const refuseWhenReadOnly = (action: string) => {
    if (config.readOnly) throw new ProviderError('READ_ONLY', `This Vault manager is read-only: it cannot ${action}. References to existing secrets can still be read.`);
  };

  const read = async (reference: string, versionId: string | undefined): Promise<StoredValue> => {
    const { path, key } = parseReference(reference);
    if (config.engine.version === 1) {
      if (versionId !== undefined && versionId !== V1_VERSION) throw new ProviderError('INVALID', 'KV v1 keeps no versions; only the latest value can be read.');
      const data = await retried((client) => client.kvV1Read(mount, path));
      return { value: pick(data, key, path), versionId: V1_VERSION };
    }
    let version: number | undefined;
    if (versionId !== undefined) {
      version = Number(versionId);
      if (!Number.isInteger(version) || version < 1) throw new ProviderError('INVALID', `A KV v2 version is a positive integer, not "${versionId}".`);
    }
    const secret = await retried((client) => client.kvV2Read(mount, path, version));
    if (!secret.data) throw new ProviderError('NOT_FOUND', `Version ${secret.metadata.version} of ${path} was deleted.`);
    return { value: pick(secret.data, key, path), versionId: String(secret.metadata.version) };
  };

  const store: VaultStore = {
    role: 'secret-store',
    kind,
    maxValueBytes: MAX_VALUE_BYTES,
    checkName,
    locate: (name) => `${joinPath(config.basePath, name)}#${VALUE_KEY}`,

    keepsVersions: config.engine.version === 2,

    async exists(name) {
      const path = joinPath(config.basePath, name);
      if (config.engine.version === 1) return found(() => retried((client) => client.kvV1Read(mount, path)));
      try {
        // The metadata knows a secret whose versions are all deleted, which a data read calls missing.
        return await found(() => retried((client) => client.kvV2Metadata(mount, path)));
      } catch (error) {
        if (!(error instanceof ProviderError && error.code === 'PERMISSION_DENIED')) throw error;
        return found(() => retried((client) => client.kvV2Read(mount, path)));
      }
    },

    async put(name, value, mode) {
      refuseWhenReadOnly('write secrets');
      const refusal = checkName(name);
      if (refusal) throw new ProviderError('INVALID', refusal);
      const size = Buffer.byteLength(value, 'utf8');
      if (size > MAX_VALUE_BYTES) throw new ProviderError('INVALID', `Strongroom keeps Vault values up to ${MAX_VALUE_BYTES} bytes; this one has ${size}.`);
      const path = joinPath(config.basePath, name);
      const reference = `${path}#${VALUE_KEY}`;
      const taken = () => new ProviderError('EXISTS', `${mount}/${path} already exists in Vault, and Strongroom did not write it.`);
      if (config.engine.version === 1) {
        // KV v1 has no check-and-set: a read just before the write is the best it allows.
        if (mode === 'create' && (await store.exists(name))) throw taken();
        await retried((client) => client.kvV1Write(mount, path, { [VALUE_KEY]: value }));
        return { reference, versionId: V1_VERSION };
      }
      try {
        const written = await retried((client) => client.kvV2Write(mount, path, { [VALUE_KEY]: value }, mode === 'create' ? { cas: 0 } : {}));
        return { reference, versionId: String(written.version) };
      } catch (error) {
        if (mode === 'create' && error instanceof ProviderError && error.code === 'INVALID' && /check-and-set/i.test(error.message)) throw taken();
        throw error;
      }
    },

    get: (reference, versionId) => read(reference, versionId),

    async delete(reference, own) {
      refuseWhenReadOnly('delete secrets');
      const { path } = parseReference(reference);
      // Only what Strongroom wrote lives under the base path; a referenced secret elsewhere must survive its reference.
      if (config.basePath && !path.startsWith(`${config.basePath}/`)) {
        throw new ProviderError('INVALID', `Refusing to delete ${path}: Strongroom deletes only secrets under its base path ${config.basePath}.`);
      }
      const shown = `${mount}/${path}`;
      if (config.engine.version === 1) {
        // Without versions, "ours" is all or nothing: a KV v1 secret Strongroom adopted stays.
        if (!own.created) return { removed: 'nothing', detail: `${shown} was left in Vault: Strongroom did not create it.` };
        await retried((client) => client.kvV1Delete(mount, path));
        return { removed: 'secret', detail: `${shown} deleted from Vault.` };
      }
      let metadata;
      try {
        metadata = await retried((client) => client.kvV2Metadata(mount, path));
      } catch (error) {
        // Already gone is what the caller wanted.
        if (error instanceof ProviderError && error.code === 'NOT_FOUND') return { removed: 'nothing', detail: `${shown} was already gone from Vault.` };
        throw error;
      }
      const mineSet = new Set(own.versions);
      const present = Object.keys(metadata.versions);
      const foreign = present.filter((version) => !mineSet.has(version));
      if (foreign.length === 0 && own.created) {
        // Every version is ours: the metadata goes too, or old values would stay readable.
        await retried((client) => client.kvV2DeleteAll(mount, path));
        return { removed: 'secret', detail: `${shown} deleted from Vault with its ${present.length} version(s).` };
      }
      const mine = present.filter((version) => mineSet.has(version) && !metadata.versions[version]!.destroyed).map(Number);
      if (mine.length > 0) await retried((client) => client.kvV2Destroy(mount, path, mine));
      return {
        removed: mine.length > 0 ? 'versions' : 'nothing',
        detail: `${shown} kept in Vault with ${foreign.length} version(s) Strongroom did not write${mine.length > 0 ? `; destroyed version(s) ${mine.join(', ')} that it wrote` : ''}.`,
      };
    },

    readReference: (reference) => read(reference, undefined),

    test: () => testConnection(config, session, retry),

    sshSigner: {
      sign: async (request) => {
        const principals = request.validPrincipals.map((principal) => principal.trim()).filter(Boolean);
        if (principals.length === 0) throw new ProviderError('INVALID', 'At least one principal (user name) is needed for an SSH certificate.');
        const signed = await retried((client) =>
          client.sshSign(trimSlashes(request.mount), request.role, {
            public_key: request.publicKey.trim(),
            valid_principals: principals.join(','),
            cert_type: 'user',
            ...(request.ttl ? { ttl: request.ttl } : {}),
          }),
        );
        return { certificate: signed.signed_key.trim(), serialNumber: signed.serial_number };
      },

      async check(mountInput, role) {
        const sshMount = trimSlashes(mountInput);
        const mounts = await retried(async (client) => {
          try {
            return await client.mounts();
          } catch (error) {
            if (error instanceof ProviderError && error.code === 'PERMISSION_DENIED') return client.visibleMounts();
            throw error;
          }
        });
        const engine = Object.entries(mounts).find(([path]) => trimSlashes(path) === sshMount)?.[1];
        if (!engine) throw new ProviderError('NOT_FOUND', `Vault at ${config.url} has no secrets engine at ${sshMount} that this token can see.`);
        if (engine.type !== 'ssh') throw new ProviderError('INVALID', `${sshMount} in Vault is a ${engine.type} engine, not an SSH engine.`);
        try {
          await retried((client) => client.sshRole(sshMount, role));
        } catch (error) {
          if (error instanceof ProviderError && error.code === 'NOT_FOUND') throw new ProviderError('NOT_FOUND', `The SSH engine ${sshMount} has no role "${role}".`);
          if (!(error instanceof ProviderError && error.code === 'PERMISSION_DENIED')) throw error;
        }
        const signPath = `${sshMount}/sign/${role}`;
        let granted: string[] | null = null;
        try {
          granted = (await retried((client) => client.capabilitiesSelf([signPath])))[signPath] ?? [];
        } catch (error) {
          if (!couldNotCheck(error)) throw error;
        }
        if (granted && !granted.includes('root') && !granted.includes('update')) {
          throw new ProviderError('PERMISSION_DENIED', `This Vault token may not sign with the role: it lacks "update" on ${signPath}.`, { permission: `update on ${signPath}` });
        }
      },
    },

    tokenRenewal: { status: () => renewal.status(), resume: () => renewal.resume() },
    async close() {
      renewal.stop();
      await session.close();
    },
  };
  renewal.start();
  return store;
}

/** Lists the secrets engines the credentials can see, for the manager form's engine picker. */
export async function listMounts(input: VaultConnectionInput, options: { retry?: RetryPolicy } = {}): Promise<VaultMount[]> {
  const connection = parse(connectionSchema, input);
  const session = new Session(connection);
  try {
    const mounts = await withRetry(
      () =>
        session.run(async (client) => {
          try {
            return await client.mounts();
          } catch (error) {
            // Most tokens may not read sys/mounts; the default policy still shows them the mounts they can use.
            if (error instanceof ProviderError && error.code === 'PERMISSION_DENIED') return client.visibleMounts();
            throw error;
          }
        }),
      options.retry ?? DEFAULT_RETRY,
    );
    return Object.entries(mounts)
      .map(
        ([path, info]): VaultMount => ({
          path: trimSlashes(path),
          type: info.type,
          // A kv mount without a version option is KV v1, as Vault itself reads it.
          version: info.type === 'kv' ? (info.options?.version === '2' ? 2 : 1) : null,
          description: info.description ?? '',
        }),
      )
      .sort((a, b) => a.path.localeCompare(b.path));
  } finally {
    session.client.close();
  }
}

/** KV v1 has no versions: every write replaces the value, so every version id is this one. */
export const V1_VERSION = 'latest';

export function checkName(name: string): string | null {
  if (name.length === 0) return 'A name is required.';
  if (name.length > MAX_NAME_LENGTH) return `Vault secret names here have at most ${MAX_NAME_LENGTH} characters; this one has ${name.length}.`;
  if (name === '.' || name === '..') return 'A name cannot be "." or "..".';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return "Vault secret names here allow letters, digits, '.', '_' and '-' ('/' would nest the secret in a sub-path, '#' ends the path in a reference).";
  return null;
}

/** Splits `path#key`, the path relative to the engine mount. */
export function parseReference(reference: string): { path: string; key: string } {
  const hash = reference.lastIndexOf('#');
  const path = trimSlashes(hash < 0 ? reference : reference.slice(0, hash));
  const key = hash < 0 ? '' : reference.slice(hash + 1);
  if (!path || !key) throw new ProviderError('INVALID', 'A Vault reference is path#key, the path relative to the engine mount (e.g. app/db#password).');
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new ProviderError('INVALID', `The path "${path}" has an empty, "." or ".." segment.`);
  }
  return { path, key };
}

const joinPath = (...parts: string[]) => parts.filter(Boolean).join('/');

/** Whether a read finds something: NOT_FOUND is "no", any other failure stays a failure. */
async function found(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

function pick(data: Record<string, unknown>, key: string, path: string): string {
  if (!(key in data)) throw new ProviderError('NOT_FOUND', `${path} has no key "${key}"; it has: ${Object.keys(data).sort().join(', ') || 'no keys'}.`);
  const value = data[key];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One client and its token: the configured token, or one AppRole login shared by concurrent callers. */
class Session {
  readonly client: VaultClient;
  private login: Promise<void> | null = null;
  /** The AppRole role name, which Vault tells us only at login. */
  roleName: string | null = null;
  loginTtlSeconds: number | null = null;

  constructor(readonly connection: VaultConnection) {
    this.client = new VaultClient({
      url: connection.url,
      ...(connection.namespace ? { namespace: connection.namespace } : {}),
      ...(connection.caCertificate ? { caCertificate: connection.caCertificate } : {}),
    });
    if (connection.auth.method === 'token') this.client.token = connection.auth.token;
  }

  get usesAppRole(): boolean {
    return this.connection.auth.method === 'approle';
  }

  /**
   * Logs in with AppRole (again); a no-op for token auth. A token of an earlier
   * login that may still be valid (a connection test logs in anew to check the
   * credentials) is revoked once the new one is in place, so tokens do not pile
   * up in Vault until their TTL.
   */
  relogin(): Promise<void> {
    const auth = this.connection.auth;
    if (auth.method !== 'approle') return Promise.resolve();
    this.login ??= this.client
      .appRoleLogin(auth.mountPath, auth.roleId, auth.secretId)
      .then((result) => {
        const replaced = this.client.token;
        this.client.token = result.client_token;
        if (replaced && replaced !== result.client_token) void this.revoke(replaced);
        this.roleName = result.metadata?.role_name ?? null;
        this.loginTtlSeconds = result.lease_duration;
      })
      .finally(() => {
        this.login = null;
      });
    return this.login;
  }

  /**
   * Revokes a token this session got from an AppRole login; best effort and
   * bounded, since it runs on close, where Vault may already be gone.
   */
  private async revoke(token: string): Promise<void> {
    const revoker = new VaultClient({
      url: this.connection.url,
      ...(this.connection.namespace ? { namespace: this.connection.namespace } : {}),
      ...(this.connection.caCertificate ? { caCertificate: this.connection.caCertificate } : {}),
      timeoutMs: REVOKE_TIMEOUT_MS,
    });
    revoker.token = token;
    try {
      await revoker.revokeSelf();
    } catch {
      // An expired or already revoked token is what revoking wanted; an unreachable Vault lets it run out its TTL.
    } finally {
      revoker.close();
    }
  }

  /** Ends the session: an AppRole token is revoked (a configured token is the admin's, and stays). */
  async close(): Promise<void> {
    await this.login?.catch(() => undefined);
    const token = this.client.token;
    this.client.token = null;
    try {
      if (this.usesAppRole && token) await this.revoke(token);
    } finally {
      this.client.close();
    }
  }

  /** Runs an operation with a valid token; an AppRole token that has expired is replaced once. */
  async run<T>(operation: (client: VaultClient) => Promise<T>): Promise<T> {
    if (this.login) await this.login;
    if (!this.client.token) await this.relogin();
    try {
      return await operation(this.client);
    } catch (error) {
      if (!(this.usesAppRole && error instanceof ProviderError && error.code === 'AUTH_FAILED')) throw error;
      this.client.token = null;
      await this.relogin();
      return operation(this.client);
    }
  }
}

/** Renews the token every interval; after FAILURES_BEFORE_PAUSE failures in a row it stops and reports it. */
class RenewalLoop {
  private current: TokenRenewalStatus = { state: 'idle', consecutiveFailures: 0, ttlSeconds: null, lastRenewedAt: null, lastError: null };
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly session: Session,
    private readonly intervalSeconds: number,
    private readonly onStatus: ((status: TokenRenewalStatus) => void) | undefined,
  ) {}

  status(): TokenRenewalStatus {
    return { ...this.current };
  }

  start(): void {
    if (this.intervalSeconds > 0) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.update({ state: 'stopped' });
  }

  resume(): void {
    if (this.stopped || this.current.state !== 'paused') return;
    this.update({ state: 'active', consecutiveFailures: 0 });
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.intervalSeconds * 1000);
    // The loop must not keep the delegate alive on its own.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    let ttl: number | null;
    try {
      ttl = await this.renewOnce();
    } catch (error) {
      if (!this.stopped) this.recordFailure(error instanceof ProviderError ? error : new ProviderError('PROVIDER_ERROR', String(error)));
      return;
    }
    if (this.stopped) return;
    if (ttl === null) {
      this.update({ state: 'not-needed', consecutiveFailures: 0, ttlSeconds: null, lastError: null });
      return;
    }
    this.update({ state: 'active', consecutiveFailures: 0, ttlSeconds: ttl, lastRenewedAt: new Date().toISOString(), lastError: null });
    this.schedule();
  }

  private recordFailure(failure: ProviderError): void {
    const failures = this.current.consecutiveFailures + 1;
    const paused = failures >= FAILURES_BEFORE_PAUSE;
    this.update({
      state: paused ? 'paused' : 'failing',
      consecutiveFailures: failures,
      lastError: { code: failure.code, message: paused ? `Token renewal paused after ${failures} failures in a row: ${failure.message}` : failure.message },
    });
    if (!paused) this.schedule();
  }

  /** Renews (or, for AppRole, logs in again when renewal cannot help); returns the TTL, or null for a token that never expires. */
  private async renewOnce(): Promise<number | null> {
    const session = this.session;
    if (!session.client.token) {
      await session.relogin();
      return session.loginTtlSeconds;
    }
    try {
      const auth = await session.client.renewSelf();
      return auth.lease_duration;
    } catch (error) {
      if (!(error instanceof ProviderError) || (error.code !== 'INVALID' && error.code !== 'AUTH_FAILED')) throw error;
      if (session.usesAppRole) {
        // A dead token is dropped; one that only cannot be renewed further is revoked once the new login replaces it.
        if (error.code === 'AUTH_FAILED') session.client.token = null;
        await session.relogin();
        return session.loginTtlSeconds;
      }
      if (error.code === 'INVALID') {
        const self = await session.client.lookupSelf();
        if (self.ttl === 0 && self.expire_time === null) return null;
      }
      throw error;
    }
  }

  private update(change: Partial<TokenRenewalStatus>): void {
    this.current = { ...this.current, ...change };
    this.onStatus?.(this.status());
  }
}

/**
 * Looks the token up and asks for its capabilities on the base path: read-only,
 * never a dummy write. A stage that fails ends the test as a failed check
 * carrying the typed error code, so the UI shows how far the connection got.
 */
async function testConnection(config: VaultConfig, session: Session, retry: RetryPolicy): Promise<ProviderTestResult> {
  const result: ProviderTestResult = {
    ok: false,
    checks: [],
    facts: { url: config.url, namespace: config.namespace ?? null, engine: `${config.engine.mount} (KV v${config.engine.version})`, readOnly: config.readOnly },
    warnings: [],
  };
  let stage = 'connect';
  try {
    await runChecks(config, session, retry, result, (next) => (stage = next));
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    result.checks.push({ name: stage, ok: false, detail: error.message });
    result.facts.errorCode = error.code;
    if (error.extra.permission) result.facts.missingPermission = error.extra.permission;
    return result;
  }
  result.ok = result.checks.every((check) => check.ok);
  return result;
}

async function runChecks(config: VaultConfig, session: Session, retry: RetryPolicy, result: ProviderTestResult, enter: (stage: string) => void): Promise<void> {
  const { checks, facts, warnings } = result;
  const attempt = <T>(operation: (client: VaultClient) => Promise<T>) => withRetry(() => operation(session.client), retry);

  const url = new URL(config.url);
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    warnings.push(`Vault is reached over plain HTTP at ${url.host}: the token travels unencrypted. Use https://.`);
  }

  if (session.usesAppRole) {
    enter('AppRole login');
    // A fresh login is what checks the role and secret ids; the session's earlier token is revoked once replaced.
    await withRetry(() => session.relogin(), retry);
    checks.push({ name: 'AppRole login', ok: true, detail: `Logged in with role ${session.roleName ?? '(name not reported)'}.` });
    facts.appRole = session.roleName;
  }

  enter('token lookup');
  const self: TokenLookup = await attempt((client) => client.lookupSelf());
  const neverExpires = self.ttl === 0 && self.expire_time === null;
  facts.tokenTtlSeconds = neverExpires ? null : self.ttl;
  facts.tokenExpiresAt = self.expire_time;
  facts.tokenRenewable = self.renewable;
  facts.tokenPolicies = self.policies.join(', ');
  checks.push({
    name: 'token lookup',
    ok: true,
    detail: neverExpires
      ? `Token valid, never expires, policies: ${self.policies.join(', ')}.`
      : `Token valid for ${formatDuration(self.ttl)}${self.renewable ? ', renewable' : ', not renewable'}, policies: ${self.policies.join(', ')}.`,
  });
  // An AppRole token is replaced by a fresh login when it runs out, so only a configured token's lifetime needs a warning.
  if (!session.usesAppRole && !neverExpires) {
    if (self.ttl < EXPIRY_WARNING_SECONDS) warnings.push(`The token expires in ${formatDuration(self.ttl)} (${self.expire_time}).`);
    if (!self.renewable) warnings.push(`The token cannot be renewed: it stops working at ${self.expire_time}. Issue a renewable token or use AppRole.`);
    else if (config.renewalIntervalSeconds === 0) warnings.push('Token renewal is off: the token will expire unless renewed elsewhere.');
    else if (config.renewalIntervalSeconds >= self.ttl) {
      warnings.push(`The renewal interval (${formatDuration(config.renewalIntervalSeconds)}) is longer than the token's remaining TTL (${formatDuration(self.ttl)}).`);
    }
  }

  enter('capabilities');
  const wanted = requiredCapabilities(config);
  try {
    const granted = await attempt((client) => client.capabilitiesSelf(wanted.map((item) => item.path)));
    const missing = wanted
      .map((item) => {
        const has = granted[item.path] ?? [];
        return { shown: item.shown, missing: has.includes('root') ? [] : item.needs.filter((capability) => !has.includes(capability)) };
      })
      .filter((item) => item.missing.length > 0);
    if (missing.length > 0) facts.missingCapabilities = missing.map((item) => `${item.missing.join(', ')} on ${item.shown}`).join('; ');
    for (const item of wanted) facts[`capabilities ${item.shown}`] = (granted[item.path] ?? []).join(', ');
    checks.push({
      name: 'capabilities',
      ok: missing.length === 0,
      detail:
        missing.length === 0
          ? `The token has ${wanted.map((item) => `${item.needs.join(', ')} on ${item.shown}`).join('; ')}.`
          : `Missing capabilities: ${missing.map((item) => `${item.missing.join(', ')} on ${item.shown}`).join('; ')}.`,
    });
  } catch (error) {
    if (!couldNotCheck(error)) throw error;
    const detail = `Could not check the token's capabilities: ${error.code === 'NOT_FOUND' ? 'this Vault does not serve sys/capabilities-self' : 'the token may not ask for them (sys/capabilities-self)'}. Writes will show whether it has them.`;
    checks.push({ name: 'capabilities', ok: true, detail });
    warnings.push(detail);
  }

  if (config.auth.method === 'approle') {
    enter('secret-id expiry');
    const roleName = session.roleName ?? self.meta?.role_name ?? null;
    const auth = config.auth;
    let detail: string;
    if (!roleName) {
      detail = 'Vault did not name the role, so the secret id cannot be looked up.';
      facts.secretIdExpiresAt = null;
    } else {
      try {
        const lookup = await attempt((client) => client.secretIdLookup(auth.mountPath, roleName, auth.secretId));
        if (!lookup) {
          detail = 'Vault does not know this secret id any more.';
          facts.secretIdExpiresAt = null;
        } else if (lookup.expiration_time === NEVER || lookup.secret_id_ttl === 0) {
          detail = 'The secret id never expires.';
          facts.secretIdExpiresAt = 'never';
        } else {
          facts.secretIdExpiresAt = lookup.expiration_time;
          const left = Math.round((Date.parse(lookup.expiration_time) - Date.now()) / 1000);
          detail = `The secret id expires in ${formatDuration(left)} (${lookup.expiration_time}).`;
          if (left < EXPIRY_WARNING_SECONDS) warnings.push(`The AppRole secret id expires in ${formatDuration(left)}; logins fail after ${lookup.expiration_time}.`);
        }
      } catch (error) {
        if (!couldNotCheck(error)) throw error;
        detail =
          error.code === 'NOT_FOUND'
            ? `Expiry unknown: Vault does not serve auth/${auth.mountPath}/role/${roleName}/secret-id/lookup.`
            : `Expiry unknown: the token may not look up its secret id (needs update on auth/${auth.mountPath}/role/${roleName}/secret-id/lookup).`;
        facts.secretIdExpiresAt = null;
      }
    }
    checks.push({ name: 'secret-id expiry', ok: true, detail });
  }
}

/**
 * Whether an optional check's endpoint refused to answer rather than failed:
 * denied to this token (403) or not served by this Vault, its version or its
 * auth mount (404). Either way the test could not check, which is no failure.
 */
function couldNotCheck(error: unknown): error is ProviderError {
  return error instanceof ProviderError && (error.code === 'PERMISSION_DENIED' || error.code === 'NOT_FOUND');
}

/** The paths a manager touches and the capabilities it needs there; reads only for read-only managers. */
function requiredCapabilities(config: VaultConfig): { path: string; shown: string; needs: string[] }[] {
  const probe = joinPath(config.basePath, 'strongroom-capability-probe');
  const under = (prefix: string) => joinPath(config.engine.mount, prefix, config.basePath, '*');
  if (config.engine.version === 1) {
    return [{ path: joinPath(config.engine.mount, probe), shown: under(''), needs: config.readOnly ? ['read'] : ['create', 'read', 'update', 'delete'] }];
  }
  const data = { path: joinPath(config.engine.mount, 'data', probe), shown: under('data'), needs: config.readOnly ? ['read'] : ['create', 'read', 'update'] };
  if (config.readOnly) return [data];
  // Deleting reads the metadata to tell Strongroom's versions from others', and destroys only its own when others remain.
  return [
    data,
    { path: joinPath(config.engine.mount, 'metadata', probe), shown: under('metadata'), needs: ['read', 'delete'] },
    { path: joinPath(config.engine.mount, 'destroy', probe), shown: under('destroy'), needs: ['update'] },
  ];
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ProviderError('INVALID', `Invalid Vault configuration: ${result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ')}`);
  }
  return result.data;
}
