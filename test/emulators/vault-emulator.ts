/**
 * HashiCorp Vault on loopback, speaking its HTTP API closely enough for a real
 * client: tokens (root and created, with policies, TTL, renewability,
 * lookup-self and renew-self), AppRole login and secret-id lookup, KV v1 and
 * v2 (versions and metadata), a policy model that answers 403 permission
 * denied and sys/capabilities-self, sys/mounts, namespaces through
 * X-Vault-Namespace, and the SSH secrets engine signing keys with a CA key via
 * `ssh-keygen -s`, so its certificates are real OpenSSH certificates. Faults
 * (latency, 429 with Retry-After, 5xx) can be injected per path, and every
 * operation is counted. Plain HTTP unless given a test CA, like `vault server -dev`.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestCa } from './test-ca.js';

const run = promisify(execFile);

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';
/** A policy as path pattern → capabilities; patterns take Vault's `*` suffix glob and `+` segment wildcard. */
export type PolicyRules = Record<string, Capability[]>;

export interface TokenOptions {
  policies?: string[];
  ttlSeconds?: number;
  renewable?: boolean;
  /** Renewals never extend the token past creation + this. */
  explicitMaxTtlSeconds?: number;
  namespace?: string;
  noDefaultPolicy?: boolean;
  meta?: Record<string, string>;
}

export interface AppRoleOptions {
  name: string;
  policies: string[];
  tokenTtlSeconds?: number;
  tokenMaxTtlSeconds?: number;
  /** 0 means secret ids never expire. */
  secretIdTtlSeconds?: number;
  namespace?: string;
}

export interface SshRoleOptions {
  /** `*` or a comma-separated list, as in Vault. */
  allowedUsers?: string;
  defaultUser?: string;
  ttlSeconds?: number;
  maxTtlSeconds?: number;
  defaultExtensions?: Record<string, string>;
}

export interface VaultFaults {
  latencyMs?: number;
  throttle?: { count: number; retryAfterSeconds?: number; path?: RegExp };
  serverErrors?: { count: number; status?: number; path?: RegExp };
}

export interface VaultEmulatorOptions {
  port?: number;
  /** Serve HTTPS with this CA's server certificate. */
  tls?: TestCa;
  /** Namespaces besides the root, e.g. ['team-a', 'team-a/dev']; each gets its own `secret/` (KV v2) mount. */
  namespaces?: string[];
  /** Raft's max_entry_size: larger KV entries fail as they do on integrated storage. */
  maxEntryBytes?: number;
}

export interface VaultEmulatorCredentials {
  rootToken: string;
  /** A token holding the `strongroom` policy: read/write under secret/strongroom and kv/strongroom, SSH signing. */
  token: string;
  appRole: { mount: string; roleName: string; roleId: string; secretId: string };
}

export interface VaultEmulator {
  endpoint: string;
  credentials: VaultEmulatorCredentials;
  /** Live counts per operation (login, lookup-self, renew-self, kv-read, kv-write, …, throttled, failed, denied); `requests` counts every request. */
  calls: Record<string, number>;
  setFaults(faults: VaultFaults): void;
  setPolicy(name: string, rules: PolicyRules, namespace?: string): void;
  createToken(options?: TokenOptions): string;
  revokeToken(token: string): void;
  /** Makes every token issued by an AppRole login expire now, as if its TTL had run out. */
  expireLoginTokens(): void;
  /** How many tokens issued by AppRole logins are still valid (neither expired nor revoked). */
  liveLoginTokens(): number;
  createAppRole(options: AppRoleOptions): { roleId: string; secretId: string };
  setSshRole(name: string, options: SshRoleOptions): void;
  removeSshRole(name: string): void;
  /** The SSH CA's public key, as `GET /v1/<ssh mount>/public_key` serves it. */
  sshCaPublicKey: string;
  close(): Promise<void>;
}

interface TokenRecord {
  id: string;
  accessor: string;
  policies: string[];
  namespace: string;
  creationTime: number;
  creationTtl: number;
  expiresAt: number | null;
  renewable: boolean;
  explicitMaxTtl: number;
  meta: Record<string, string> | null;
  path: string;
  displayName: string;
}

interface KvV2Version {
  data: Record<string, unknown>;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

interface KvV2Entry {
  versions: Map<number, KvV2Version>;
  currentVersion: number;
  createdTime: string;
  updatedTime: string;
}

type Mount =
  | { type: 'kv'; version: 1; accessor: string; description: string; entries: Map<string, Record<string, unknown>> }
  | { type: 'kv'; version: 2; accessor: string; description: string; entries: Map<string, KvV2Entry> }
  | { type: 'ssh'; accessor: string; description: string; roles: Map<string, Required<Omit<SshRoleOptions, 'defaultUser'>> & { defaultUser: string }> };

interface AppRole {
  name: string;
  roleId: string;
  policies: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
  secretIdTtl: number;
  secretIds: Map<string, { accessor: string; created: number; expiresAt: number | null }>;
}

interface NamespaceState {
  mounts: Map<string, Mount>;
  policies: Map<string, PolicyRules>;
  appRoles: Map<string, AppRole>;
}

class VaultFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly headers: Record<string, string> = {},
    readonly data?: unknown,
  ) {
    super(errors.join('; '));
  }
}

const MAX_VERSIONS = 10;
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const KV_V1_LEASE = 768 * 3600;
const APPROLE_MOUNT = 'approle';
const SSH_MOUNT = 'ssh-client-signer';
const multiError = (...messages: string[]) => `${messages.length} error${messages.length === 1 ? '' : 's'} occurred:\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
const denied = () => new VaultFailure(403, [multiError('permission denied')]);
const invalidToken = () => new VaultFailure(403, [multiError('permission denied', 'invalid token')]);
const now = () => Date.now();
const rfc3339 = (ms: number) => new Date(ms).toISOString();
const token = (prefix: string) => `${prefix}.${randomBytes(18).toString('base64url')}`;

/** The policy Vault attaches to every token unless told not to. */
const DEFAULT_POLICY: PolicyRules = {
  'auth/token/lookup-self': ['read'],
  'auth/token/renew-self': ['update'],
  'auth/token/revoke-self': ['update'],
  'sys/capabilities-self': ['update'],
  'sys/internal/ui/mounts': ['read'],
  'sys/internal/ui/mounts/*': ['read'],
};

export async function startVaultEmulator(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
  const namespaces = new Map<string, NamespaceState>();
  const tokens = new Map<string, TokenRecord>();
  const calls: Record<string, number> = {};
  const maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
  let faults: VaultFaults = {};
  const sshDir = await mkdtemp(join(tmpdir(), 'strongroom-vault-ssh-'));
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vault-emulator-ssh-ca', '-f', join(sshDir, 'ca')]);
  const sshCaPublicKey = await readFile(join(sshDir, 'ca.pub'), 'utf8');

  const count = (operation: string) => {
    calls[operation] = (calls[operation] ?? 0) + 1;
  };

  const newNamespace = (): NamespaceState => ({ mounts: new Map(), policies: new Map([['default', DEFAULT_POLICY]]), appRoles: new Map() });
  const kvMount = (version: 1 | 2): Mount =>
    version === 1
      ? { type: 'kv', version: 1, accessor: `kv_${randomBytes(4).toString('hex')}`, description: 'key/value secret storage', entries: new Map() }
      : { type: 'kv', version: 2, accessor: `kv_${randomBytes(4).toString('hex')}`, description: 'key/value secret storage', entries: new Map() };

  const root = newNamespace();
  root.mounts.set('secret', kvMount(2));
  root.mounts.set('kv', kvMount(1));
  root.mounts.set(SSH_MOUNT, { type: 'ssh', accessor: `ssh_${randomBytes(4).toString('hex')}`, description: 'SSH certificate signing', roles: new Map() });
  namespaces.set('', root);
  for (const path of options.namespaces ?? []) {
    const state = newNamespace();
    state.mounts.set('secret', kvMount(2));
    namespaces.set(path.replace(/^\/+|\/+$/g, ''), state);
  }

  const namespaceState = (path: string): NamespaceState => {
    const state = namespaces.get(path);
    if (!state) throw new VaultFailure(404, [`namespace not found: "${path}"`]);
    return state;
  };

  function createToken(tokenOptions: TokenOptions = {}, path = 'auth/token/create'): TokenRecord {
    const namespace = tokenOptions.namespace ?? '';
    namespaceState(namespace);
    const ttl = tokenOptions.ttlSeconds ?? 3600;
    const record: TokenRecord = {
      id: token('hvs'),
      accessor: randomBytes(12).toString('base64url'),
      policies: [...(tokenOptions.noDefaultPolicy ? [] : ['default']), ...(tokenOptions.policies ?? [])].sort(),
      namespace,
      creationTime: now(),
      creationTtl: ttl,
      expiresAt: ttl > 0 ? now() + ttl * 1000 : null,
      renewable: tokenOptions.renewable ?? true,
      explicitMaxTtl: tokenOptions.explicitMaxTtlSeconds ?? 0,
      meta: tokenOptions.meta ?? null,
      path,
      displayName: path.startsWith('auth/approle') ? 'approle' : 'token',
    };
    tokens.set(record.id, record);
    return record;
  }

  const rootToken: TokenRecord = { ...createToken({ ttlSeconds: 0, renewable: false, noDefaultPolicy: true, policies: ['root'] }), displayName: 'root' };
  tokens.set(rootToken.id, rootToken);

  function setPolicy(name: string, rules: PolicyRules, namespace = ''): void {
    namespaceState(namespace).policies.set(name, rules);
  }

  function createAppRole(role: AppRoleOptions): { roleId: string; secretId: string } {
    const state = namespaceState(role.namespace ?? '');
    const record: AppRole = {
      name: role.name,
      roleId: randomUUID(),
      policies: role.policies,
      tokenTtl: role.tokenTtlSeconds ?? 3600,
      tokenMaxTtl: role.tokenMaxTtlSeconds ?? 0,
      secretIdTtl: role.secretIdTtlSeconds ?? 0,
      secretIds: new Map(),
    };
    const secretId = randomUUID();
    record.secretIds.set(secretId, {
      accessor: randomUUID(),
      created: now(),
      expiresAt: record.secretIdTtl > 0 ? now() + record.secretIdTtl * 1000 : null,
    });
    state.appRoles.set(role.name, record);
    return { roleId: record.roleId, secretId };
  }

  function setSshRole(name: string, role: SshRoleOptions): void {
    const mount = root.mounts.get(SSH_MOUNT);
    if (mount?.type !== 'ssh') throw new Error('no SSH mount');
    mount.roles.set(name, {
      allowedUsers: role.allowedUsers ?? '*',
      defaultUser: role.defaultUser ?? '',
      ttlSeconds: role.ttlSeconds ?? 1800,
      maxTtlSeconds: role.maxTtlSeconds ?? 86400,
      defaultExtensions: role.defaultExtensions ?? { 'permit-pty': '' },
    });
  }

  setPolicy('strongroom', {
    'secret/data/strongroom/*': ['create', 'read', 'update', 'delete', 'list'],
    'secret/metadata/strongroom/*': ['read', 'delete', 'list'],
    'secret/destroy/strongroom/*': ['update'],
    'kv/strongroom/*': ['create', 'read', 'update', 'delete', 'list'],
    [`${SSH_MOUNT}/sign/strongroom`]: ['update'],
    [`${SSH_MOUNT}/roles/*`]: ['read'],
    [`auth/${APPROLE_MOUNT}/role/strongroom/secret-id/lookup`]: ['update'],
  });
  setSshRole('strongroom', {});
  const appRole = createAppRole({ name: 'strongroom', policies: ['strongroom'], tokenTtlSeconds: 3600, tokenMaxTtlSeconds: 86400, secretIdTtlSeconds: 7 * 86400 });
  const userToken = createToken({ policies: ['strongroom'], ttlSeconds: 32 * 86400 });

  /** Capabilities of `tokenRecord` on `path`, relative to the request's namespace. */
  function capabilities(tokenRecord: TokenRecord, requestNamespace: string, path: string): Capability[] | ['root'] {
    if (tokenRecord.policies.includes('root')) return ['root'];
    const relative = requestNamespace === tokenRecord.namespace ? '' : `${requestNamespace.slice(tokenRecord.namespace ? tokenRecord.namespace.length + 1 : 0)}/`;
    const fullPath = relative + path;
    const state = namespaceState(tokenRecord.namespace);
    const granted = new Set<Capability>();
    for (const policyName of tokenRecord.policies) {
      const rules = state.policies.get(policyName);
      if (!rules) continue;
      let best: { score: number; caps: Capability[] } | null = null;
      for (const [pattern, caps] of Object.entries(rules)) {
        const score = matchScore(pattern, fullPath);
        if (score !== null && (!best || score > best.score)) best = { score, caps };
      }
      for (const cap of best?.caps ?? []) granted.add(cap);
    }
    if (granted.has('deny')) return ['deny'];
    return granted.size === 0 ? ['deny'] : [...granted].sort();
  }

  function authenticate(request: IncomingMessage, requestNamespace: string): TokenRecord {
    const header = request.headers['x-vault-token'] ?? /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const record = typeof header === 'string' ? tokens.get(header) : undefined;
    if (!record) throw invalidToken();
    if (record.expiresAt !== null && record.expiresAt <= now()) {
      tokens.delete(record.id);
      throw invalidToken();
    }
    const inScope = record.namespace === '' || record.namespace === requestNamespace || requestNamespace.startsWith(`${record.namespace}/`);
    if (!inScope) throw invalidToken();
    return record;
  }

  function authorize(record: TokenRecord, requestNamespace: string, path: string, needed: Capability): void {
    const caps = capabilities(record, requestNamespace, path);
    if (caps[0] === 'root') return;
    if (!(caps as Capability[]).includes(needed)) {
      count('denied');
      throw denied();
    }
  }

  function applyFaults(path: string): void {
    const throttle = faults.throttle;
    if (throttle && throttle.count > 0 && (!throttle.path || throttle.path.test(path))) {
      throttle.count--;
      count('throttled');
      throw new VaultFailure(429, [`request path "${path}": rate limit quota exceeded`], { 'retry-after': String(throttle.retryAfterSeconds ?? 0) });
    }
    const failures = faults.serverErrors;
    if (failures && failures.count > 0 && (!failures.path || failures.path.test(path))) {
      failures.count--;
      count('failed');
      const status = failures.status ?? 500;
      throw new VaultFailure(status, [status === 503 ? 'Vault is sealed' : 'internal error']);
    }
  }

  const envelope = (data: unknown, extra: Record<string, unknown> = {}) => ({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  });

  function tokenAuth(record: TokenRecord) {
    return {
      client_token: record.id,
      accessor: record.accessor,
      policies: record.policies,
      token_policies: record.policies,
      metadata: record.meta,
      lease_duration: record.expiresAt === null ? 0 : Math.max(0, Math.round((record.expiresAt - now()) / 1000)),
      renewable: record.renewable,
      entity_id: '',
      token_type: 'service',
      orphan: true,
      num_uses: 0,
    };
  }

  async function route(request: IncomingMessage, url: URL, body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const method = request.method ?? 'GET';
    count('requests');
    if (!url.pathname.startsWith('/v1/')) throw new VaultFailure(404, []);
    const path = decodeURIComponent(url.pathname.slice(4)).replace(/\/+$/, '');
    const nsHeader = request.headers['x-vault-namespace'];
    const requestNamespace = (typeof nsHeader === 'string' ? nsHeader : '').replace(/^\/+|\/+$/g, '');
    const state = namespaceState(requestNamespace);
    if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    applyFaults(path);

    // Unauthenticated endpoints.
    if (path === 'sys/health' && method === 'GET') {
      count('health');
      return { status: 200, body: { initialized: true, sealed: false, standby: false, version: '1.17.0+emulated', cluster_name: 'strongroom-emulator' } };
    }
    if (path === `auth/${APPROLE_MOUNT}/login` && method === 'POST') return appRoleLogin(state, requestNamespace, body);
    if (path === `${SSH_MOUNT}/public_key` && method === 'GET' && requestNamespace === '') {
      count('ssh-public-key');
      return { status: 200, body: sshCaPublicKey };
    }

    const record = authenticate(request, requestNamespace);
    const isList = url.searchParams.get('list') === 'true';

    if (path === 'auth/token/lookup-self' && method === 'GET') {
      count('lookup-self');
      authorize(record, requestNamespace, path, 'read');
      return ok(envelope(lookup(record)));
    }
    if (path === 'auth/token/renew-self' && (method === 'POST' || method === 'PUT')) {
      count('renew-self');
      authorize(record, requestNamespace, path, 'update');
      return ok(envelope(null, { auth: renew(record, body.increment) }));
    }
    if (path === 'auth/token/revoke-self' && (method === 'POST' || method === 'PUT')) {
      count('revoke-self');
      tokens.delete(record.id);
      return { status: 204, body: null };
    }
    if (path === 'sys/capabilities-self' && (method === 'POST' || method === 'PUT')) {
      count('capabilities-self');
      authorize(record, requestNamespace, path, 'update');
      const paths = Array.isArray(body.paths) ? (body.paths as string[]) : typeof body.path === 'string' ? [body.path] : [];
      if (paths.length === 0) throw new VaultFailure(400, ['paths must be supplied']);
      const result: Record<string, string[]> = {};
      for (const item of paths) result[item] = capabilities(record, requestNamespace, item.replace(/^\/+/, ''));
      if (paths.length === 1) result.capabilities = result[paths[0]!]!;
      return ok({ ...result, ...envelope(result) });
    }
    if (path === 'sys/mounts' && method === 'GET') {
      count('mounts');
      authorize(record, requestNamespace, path, 'read');
      const mounts = describeMounts(state, () => true);
      return ok({ ...mounts, ...envelope(mounts) });
    }
    if (path === 'sys/internal/ui/mounts' && method === 'GET') {
      count('ui-mounts');
      authorize(record, requestNamespace, path, 'read');
      const visible = (mountPath: string) => {
        const caps = capabilities(record, requestNamespace, `${mountPath}/`);
        if (caps[0] === 'root') return true;
        const rules = [...record.policies].flatMap((name) => Object.keys(namespaceState(record.namespace).policies.get(name) ?? {}));
        return rules.some((pattern) => pattern.startsWith(`${mountPath}/`) || pattern === mountPath);
      };
      return ok(envelope({ secret: describeMounts(state, visible), auth: { [`${APPROLE_MOUNT}/`]: { type: 'approle', description: '', options: null }, 'token/': { type: 'token', description: 'token based credentials', options: null } } }));
    }
    const lookupMatch = new RegExp(`^auth/${APPROLE_MOUNT}/role/([^/]+)/secret-id/lookup$`).exec(path);
    if (lookupMatch && (method === 'POST' || method === 'PUT')) {
      count('secret-id-lookup');
      authorize(record, requestNamespace, path, 'update');
      return secretIdLookup(state, lookupMatch[1]!, body.secret_id);
    }

    const [mountPath, mount] = findMount(state, path);
    const rest = path.slice(mountPath.length + 1);
    if (mount.type === 'ssh') return sshOperation(record, requestNamespace, path, mount, rest, method, body);
    if (mount.version === 1) return kvV1(record, requestNamespace, path, mount, rest, method, body, isList);
    const version = url.searchParams.get('version');
    return kvV2(record, requestNamespace, path, mount, rest, method, body, isList, version ? Number(version) : null);
  }

  function lookup(record: TokenRecord) {
    const ttl = record.expiresAt === null ? 0 : Math.max(0, Math.round((record.expiresAt - now()) / 1000));
    return {
      accessor: record.accessor,
      creation_time: Math.floor(record.creationTime / 1000),
      creation_ttl: record.creationTtl,
      display_name: record.displayName,
      entity_id: '',
      expire_time: record.expiresAt === null ? null : rfc3339(record.expiresAt),
      explicit_max_ttl: record.explicitMaxTtl,
      id: record.id,
      issue_time: rfc3339(record.creationTime),
      meta: record.meta,
      num_uses: 0,
      orphan: true,
      path: record.path,
      policies: record.policies,
      renewable: record.renewable,
      ttl,
      type: 'service',
      ...(record.namespace ? { namespace_path: `${record.namespace}/` } : {}),
    };
  }

  function renew(record: TokenRecord, increment: unknown) {
    if (!record.renewable || record.expiresAt === null) throw new VaultFailure(400, ['lease is not renewable']);
    const requested = parseDuration(increment) ?? record.creationTtl;
    let expiresAt = now() + requested * 1000;
    if (record.explicitMaxTtl > 0) expiresAt = Math.min(expiresAt, record.creationTime + record.explicitMaxTtl * 1000);
    record.expiresAt = expiresAt;
    return tokenAuth(record);
  }

  function appRoleLogin(state: NamespaceState, namespace: string, body: Record<string, unknown>) {
    count('login');
    const role = [...state.appRoles.values()].find((candidate) => candidate.roleId === body.role_id);
    const secret = role && typeof body.secret_id === 'string' ? role.secretIds.get(body.secret_id) : undefined;
    if (!role || !secret || (secret.expiresAt !== null && secret.expiresAt <= now())) {
      count('login-failed');
      throw new VaultFailure(400, ['invalid role or secret ID']);
    }
    const record = createToken(
      { namespace, policies: role.policies, ttlSeconds: role.tokenTtl, explicitMaxTtlSeconds: role.tokenMaxTtl, meta: { role_name: role.name } },
      `auth/${APPROLE_MOUNT}/login`,
    );
    return ok(envelope(null, { auth: tokenAuth(record) }));
  }

  function secretIdLookup(state: NamespaceState, roleName: string, secretId: unknown) {
    const role = state.appRoles.get(roleName);
    if (!role) throw new VaultFailure(400, [`role "${roleName}" does not exist`]);
    const secret = typeof secretId === 'string' ? role.secretIds.get(secretId) : undefined;
    if (!secret) return { status: 204, body: null };
    return ok(
      envelope({
        cidr_list: [],
        creation_time: rfc3339(secret.created),
        expiration_time: secret.expiresAt === null ? '0001-01-01T00:00:00Z' : rfc3339(secret.expiresAt),
        last_updated_time: rfc3339(secret.created),
        metadata: {},
        secret_id_accessor: secret.accessor,
        secret_id_num_uses: 0,
        secret_id_ttl: role.secretIdTtl,
        token_bound_cidrs: [],
      }),
    );
  }

  function describeMounts(state: NamespaceState, include: (mountPath: string) => boolean) {
    const described: Record<string, unknown> = {};
    for (const [mountPath, mount] of state.mounts) {
      if (!include(mountPath)) continue;
      described[`${mountPath}/`] = {
        accessor: mount.accessor,
        config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
        description: mount.description,
        external_entropy_access: false,
        local: false,
        options: mount.type === 'kv' ? { version: String(mount.version) } : null,
        seal_wrap: false,
        type: mount.type,
        uuid: randomUUID(),
      };
    }
    if (include('sys')) {
      described['sys/'] = { accessor: 'system_0', config: {}, description: 'system endpoints used for control, policy and debugging', local: false, options: null, seal_wrap: true, type: 'system' };
    }
    return described;
  }

  function findMount(state: NamespaceState, path: string): [string, Mount] {
    let found: [string, Mount] | null = null;
    for (const [mountPath, mount] of state.mounts) {
      if ((path === mountPath || path.startsWith(`${mountPath}/`)) && (!found || mountPath.length > found[0].length)) found = [mountPath, mount];
    }
    if (!found) throw new VaultFailure(404, [`no handler for route "${path}". route entry not found.`]);
    return found;
  }

  function checkEntrySize(path: string, data: unknown): void {
    const size = Buffer.byteLength(JSON.stringify(data));
    if (size > maxEntryBytes) {
      throw new VaultFailure(500, [`failed to persist storage entry: put failed due to value being too large, max value size for key logical/${path} is ${maxEntryBytes}, got ${size}`]);
    }
  }

  const writeVerb = (exists: boolean): Capability => (exists ? 'update' : 'create');

  function kvV1(
    record: TokenRecord,
    namespace: string,
    path: string,
    mount: Extract<Mount, { version: 1 }>,
    key: string,
    method: string,
    body: Record<string, unknown>,
    isList: boolean,
  ) {
    if (method === 'GET' && isList) {
      count('kv-list');
      authorize(record, namespace, path, 'list');
      return listKeys([...mount.entries.keys()], key);
    }
    if (!key) throw new VaultFailure(405, ['unsupported operation']);
    if (method === 'GET') {
      count('kv-read');
      authorize(record, namespace, path, 'read');
      const data = mount.entries.get(key);
      if (!data) throw new VaultFailure(404, []);
      return ok(envelope(data, { lease_duration: KV_V1_LEASE }));
    }
    if (method === 'POST' || method === 'PUT') {
      count('kv-write');
      authorize(record, namespace, path, writeVerb(mount.entries.has(key)));
      checkEntrySize(path, body);
      mount.entries.set(key, body);
      return { status: 204, body: null };
    }
    if (method === 'DELETE') {
      count('kv-delete');
      authorize(record, namespace, path, 'delete');
      mount.entries.delete(key);
      return { status: 204, body: null };
    }
    throw new VaultFailure(405, ['unsupported operation']);
  }

  function versionMetadata(number: number, version: KvV2Version) {
    return { created_time: version.createdTime, custom_metadata: null, deletion_time: version.deletionTime, destroyed: version.destroyed, version: number };
  }

  function kvV2(
    record: TokenRecord,
    namespace: string,
    path: string,
    mount: Extract<Mount, { version: 2 }>,
    rest: string,
    method: string,
    body: Record<string, unknown>,
    isList: boolean,
    requestedVersion: number | null,
  ) {
    const slash = rest.indexOf('/');
    const [operation, key] = slash < 0 ? [rest, ''] : [rest.slice(0, slash), rest.slice(slash + 1)];
    const entry = mount.entries.get(key);

    if (operation === 'data' && key) {
      if (method === 'GET') {
        count('kv-read');
        authorize(record, namespace, path, 'read');
        if (!entry) throw new VaultFailure(404, []);
        return readVersion(entry, requestedVersion);
      }
      if (method === 'POST' || method === 'PUT') {
        count('kv-write');
        authorize(record, namespace, path, writeVerb(entry !== undefined));
        if (!body.data || typeof body.data !== 'object') throw new VaultFailure(400, ['no data provided']);
        const cas = (body.options as { cas?: number } | undefined)?.cas;
        if (cas !== undefined && cas !== (entry?.currentVersion ?? 0)) throw new VaultFailure(400, ['check-and-set parameter did not match the current version']);
        checkEntrySize(path, body.data);
        const stamp = rfc3339(now());
        const target = entry ?? { versions: new Map(), currentVersion: 0, createdTime: stamp, updatedTime: stamp };
        target.currentVersion++;
        target.updatedTime = stamp;
        const version: KvV2Version = { data: body.data as Record<string, unknown>, createdTime: stamp, deletionTime: '', destroyed: false };
        target.versions.set(target.currentVersion, version);
        for (const old of [...target.versions.keys()].sort((a, b) => a - b).slice(0, Math.max(0, target.versions.size - MAX_VERSIONS))) target.versions.delete(old);
        mount.entries.set(key, target);
        return ok(envelope(versionMetadata(target.currentVersion, version)));
      }
      if (method === 'DELETE') {
        count('kv-delete');
        authorize(record, namespace, path, 'delete');
        const latest = entry?.versions.get(entry.currentVersion);
        if (latest && !latest.deletionTime) latest.deletionTime = rfc3339(now());
        return { status: 204, body: null };
      }
    }
    if (operation === 'metadata') {
      if (method === 'GET' && isList) {
        count('kv-list');
        authorize(record, namespace, path, 'list');
        return listKeys([...mount.entries.keys()], key);
      }
      if (!key) throw new VaultFailure(405, ['unsupported operation']);
      if (method === 'GET') {
        count('kv-metadata');
        authorize(record, namespace, path, 'read');
        if (!entry) throw new VaultFailure(404, []);
        const versions = Object.fromEntries([...entry.versions].map(([number, version]) => [String(number), { created_time: version.createdTime, deletion_time: version.deletionTime, destroyed: version.destroyed }]));
        return ok(
          envelope({
            cas_required: false,
            created_time: entry.createdTime,
            current_version: entry.currentVersion,
            custom_metadata: null,
            delete_version_after: '0s',
            max_versions: 0,
            oldest_version: Math.min(...entry.versions.keys()),
            updated_time: entry.updatedTime,
            versions,
          }),
        );
      }
      if (method === 'DELETE') {
        count('kv-destroy');
        authorize(record, namespace, path, 'delete');
        mount.entries.delete(key);
        return { status: 204, body: null };
      }
    }
    if (operation === 'destroy' && key && (method === 'POST' || method === 'PUT')) {
      count('kv-destroy-versions');
      authorize(record, namespace, path, 'update');
      for (const number of (body.versions as number[] | undefined) ?? []) {
        const version = entry?.versions.get(number);
        if (version) {
          version.destroyed = true;
          version.data = {};
        }
      }
      return { status: 204, body: null };
    }
    if (operation === 'delete' && key && (method === 'POST' || method === 'PUT')) {
      count('kv-delete');
      authorize(record, namespace, path, 'update');
      for (const number of (body.versions as number[] | undefined) ?? []) {
        const version = entry?.versions.get(number);
        if (version && !version.deletionTime) version.deletionTime = rfc3339(now());
      }
      return { status: 204, body: null };
    }
    // What real KV v2 answers when a v1-style path reaches it.
    return {
      status: 404,
      body: { errors: [], warnings: [`Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.`] },
    };
  }

  function readVersion(entry: KvV2Entry, requested: number | null) {
    const number = requested ?? entry.currentVersion;
    const version = entry.versions.get(number);
    if (!version) throw new VaultFailure(404, []);
    if (version.deletionTime || version.destroyed) {
      return { status: 404, body: envelope({ data: null, metadata: versionMetadata(number, version) }) };
    }
    return ok(envelope({ data: version.data, metadata: versionMetadata(number, version) }));
  }

  function listKeys(all: string[], prefix: string) {
    const base = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    const keys = new Set<string>();
    for (const key of all) {
      if (!key.startsWith(base)) continue;
      const remainder = key.slice(base.length);
      const slash = remainder.indexOf('/');
      keys.add(slash < 0 ? remainder : remainder.slice(0, slash + 1));
    }
    if (keys.size === 0) throw new VaultFailure(404, []);
    return ok(envelope({ keys: [...keys].sort() }));
  }

  async function sshOperation(record: TokenRecord, namespace: string, path: string, mount: Extract<Mount, { type: 'ssh' }>, rest: string, method: string, body: Record<string, unknown>) {
    const signMatch = /^sign\/([^/]+)$/.exec(rest);
    if (rest === 'config/ca' && method === 'GET') {
      count('ssh-config-ca');
      authorize(record, namespace, path, 'read');
      return ok(envelope({ public_key: sshCaPublicKey.trim() }));
    }
    const roleMatch = /^roles\/([^/]+)$/.exec(rest);
    if (roleMatch && method === 'GET') {
      count('ssh-role-read');
      authorize(record, namespace, path, 'read');
      const found = mount.roles.get(roleMatch[1]!);
      if (!found) throw new VaultFailure(404, []);
      return ok(envelope({ key_type: 'ca', allowed_users: found.allowedUsers, default_user: found.defaultUser, ttl: found.ttlSeconds, max_ttl: found.maxTtlSeconds, default_extensions: found.defaultExtensions }));
    }
    if (!signMatch || (method !== 'POST' && method !== 'PUT')) throw new VaultFailure(405, ['unsupported operation']);
    count('ssh-sign');
    authorize(record, namespace, path, 'update');
    const role = mount.roles.get(signMatch[1]!);
    if (!role) throw new VaultFailure(400, [`Unknown role: ${signMatch[1]}`]);
    if (typeof body.public_key !== 'string' || !body.public_key.trim()) throw new VaultFailure(400, ['missing public_key']);
    if ((body.cert_type ?? 'user') !== 'user') throw new VaultFailure(400, ['cert_type must be "user" for this role']);
    const requested = typeof body.valid_principals === 'string' ? body.valid_principals.split(',').map((p) => p.trim()).filter(Boolean) : [];
    const principals = requested.length > 0 ? requested : role.defaultUser ? [role.defaultUser] : [];
    if (principals.length === 0) throw new VaultFailure(400, ['empty valid principals not allowed by role']);
    const allowed = role.allowedUsers.split(',').map((user) => user.trim());
    for (const principal of principals) {
      if (!allowed.includes('*') && !allowed.includes(principal)) throw new VaultFailure(400, [`${principal} is not a valid value for valid_principals`]);
    }
    const ttl = parseDuration(body.ttl) ?? role.ttlSeconds;
    if (ttl > role.maxTtlSeconds) throw new VaultFailure(400, [`ttl is larger than maximum allowed (${role.maxTtlSeconds})`]);
    const serial = randomBytes(8);
    const dir = await mkdtemp(join(tmpdir(), 'strongroom-vault-sign-'));
    try {
      await writeFile(join(dir, 'key.pub'), `${body.public_key.trim()}\n`);
      const keyId = typeof body.key_id === 'string' && body.key_id ? body.key_id : `vault-${record.displayName}-${randomBytes(8).toString('hex')}`;
      const extensions = Object.keys(role.defaultExtensions).flatMap((extension) => ['-O', extension]);
      try {
        await run('ssh-keygen', [
          '-q', '-s', join(sshDir, 'ca'), '-I', keyId, '-n', principals.join(','),
          // Vault back-dates certificates 30 s to absorb clock skew between it and the SSH server.
          '-V', `-30s:+${ttl}s`, '-z', BigInt(`0x${serial.toString('hex')}`).toString(), '-O', 'clear', ...extensions, join(dir, 'key.pub'),
        ]);
      } catch {
        throw new VaultFailure(400, ['failed to parse public_key as SSH key']);
      }
      const signedKey = await readFile(join(dir, 'key-cert.pub'), 'utf8');
      return ok(envelope({ serial_number: serial.toString('hex'), signed_key: signedKey }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      try {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const raw = await readBody(request);
        let body: Record<string, unknown> = {};
        if (raw.length > 0) {
          try {
            body = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            throw new VaultFailure(400, ['failed to parse JSON input']);
          }
        }
        const result = await route(request, url, body);
        send(response, result.status, result.body);
      } catch (error) {
        if (error instanceof VaultFailure) send(response, error.status, { errors: error.errors }, error.headers);
        else send(response, 500, { errors: [String(error)] });
      }
    })();
  };

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.certificate }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    credentials: { rootToken: rootToken.id, token: userToken.id, appRole: { mount: APPROLE_MOUNT, roleName: 'strongroom', ...appRole } },
    calls,
    setFaults(next) {
      faults = { ...next, ...(next.throttle ? { throttle: { ...next.throttle } } : {}), ...(next.serverErrors ? { serverErrors: { ...next.serverErrors } } : {}) };
    },
    setPolicy,
    createToken: (tokenOptions) => createToken(tokenOptions).id,
    revokeToken(id) {
      tokens.delete(id);
    },
    expireLoginTokens() {
      for (const record of tokens.values()) if (record.path === `auth/${APPROLE_MOUNT}/login`) record.expiresAt = now() - 1;
    },
    liveLoginTokens: () => [...tokens.values()].filter((record) => record.path === `auth/${APPROLE_MOUNT}/login` && (record.expiresAt === null || record.expiresAt > now())).length,
    createAppRole,
    setSshRole,
    removeSshRole(name) {
      const mount = root.mounts.get(SSH_MOUNT);
      if (mount?.type === 'ssh') mount.roles.delete(name);
    },
    sshCaPublicKey,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(sshDir, { recursive: true, force: true });
    },
  };

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES) throw new VaultFailure(413, ['http: request body too large']);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

const ok = (body: unknown) => ({ status: 200, body });

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === null) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  response.end(text);
}

/** Vault durations: integer seconds, or Go-style strings such as 90s, 30m, 1h30m. */
function parseDuration(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return null;
  if (/^\d+$/.test(value)) return Number(value);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  const pattern = /(\d+)([smhd])/g;
  let consumed = 0;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    total += Number(match[1]) * units[match[2]!]!;
    consumed += match[0].length;
  }
  return consumed === value.length ? total : null;
}

/** How specifically `pattern` matches `path`: null when it does not; exact beats `+` beats a longer `*` prefix. */
function matchScore(pattern: string, path: string): number | null {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const regex = new RegExp(`^${body.split('/').map((segment) => (segment === '+' ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}${glob ? '.*' : ''}$`);
  if (!regex.test(path)) return null;
  const wildcards = body.split('/').filter((segment) => segment === '+').length;
  if (!glob && wildcards === 0) return Number.MAX_SAFE_INTEGER;
  return body.length * 100 - wildcards + (glob ? 0 : 50);
}

/** Ready-to-paste manager configuration for the emulator, as `strongroom manager add --config` reads it. */
export function managerConfig(emulator: VaultEmulator, auth: 'token' | 'approle' = 'token') {
  return {
    url: emulator.endpoint,
    basePath: 'strongroom',
    auth:
      auth === 'token'
        ? { method: 'token' as const, token: emulator.credentials.token }
        : { method: 'approle' as const, roleId: emulator.credentials.appRole.roleId, secretId: emulator.credentials.appRole.secretId },
    engine: { mount: 'secret', version: 2 as const },
    renewalIntervalSeconds: 3600,
    readOnly: false,
  };
}

/** `npm run emulator -- vault [--port P]`: prints one JSON line, then serves until interrupted. */
export async function runStandalone(args: string[]): Promise<VaultEmulator> {
  const portFlag = args.indexOf('--port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 0;
  const emulator = await startVaultEmulator({ port });
  console.log(JSON.stringify({ emulator: 'vault', endpoint: emulator.endpoint, credentials: emulator.credentials, managerConfig: managerConfig(emulator) }));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return emulator;
}
