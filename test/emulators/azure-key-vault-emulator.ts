/**
 * Azure Key Vault on loopback, faithful enough on the wire for the unmodified
 * @azure/keyvault-secrets and @azure/identity clients: HTTPS with a test CA,
 * the Microsoft identity platform's client-credentials token endpoint (and the
 * OpenID metadata MSAL reads first), Key Vault's challenge flow and bearer
 * checks, secrets with versions, soft delete and the deleted-secret poller,
 * the real name rules and 25 KB value limit, and the one Resource Manager
 * listing the UI needs (vaults in a subscription). Faults (latency, 429 with
 * Retry-After, 5xx) can be injected, and every operation is counted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestCa, type TestCa } from './test-ca.js';

const VAULT_AUDIENCE = 'https://vault.azure.net';
const ARM_AUDIENCE = 'https://management.azure.com';
const NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_VALUE_BYTES = 25 * 1024;
const PAGE_SIZE = 25;

export type SecretPermission = 'get' | 'list' | 'set' | 'delete' | 'purge';

export interface AzureVault {
  name: string;
  resourceGroup: string;
  location: string;
}

export interface AzureKeyVaultEmulatorOptions {
  port?: number;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  subscriptionId?: string;
  vaultName?: string;
  /** Vaults the subscription lists through Resource Manager; defaults to the emulated vault alone. */
  vaults?: AzureVault[];
  tokenLifetimeSeconds?: number;
  /** The client's access policy on the vault; every secret permission by default. */
  permissions?: SecretPermission[];
  /** Polls of /deletedsecrets/{name} answered 404 before the deletion shows, as the real service lags. */
  deletedVisibleAfterPolls?: number;
  tls?: TestCa;
}

export interface AzureFaults {
  latencyMs?: number;
  /** The next `count` authenticated requests are answered 429. */
  throttle?: { count: number; retryAfterSeconds?: number };
  /** The next `count` authenticated requests are answered with `status` (503 by default). */
  serverErrors?: { count: number; status?: number };
}

export interface AzureKeyVaultCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  vaultName: string;
}

export interface AzureKeyVaultEmulator {
  /** https://127.0.0.1:PORT: vault, token authority and Resource Manager all live here. */
  endpoint: string;
  caCertificate: string;
  credentials: AzureKeyVaultCredentials;
  /** Live counts per operation (token, challenge, setSecret, getSecret, …, throttled, failed); `vaultRequests` counts every request to the vault itself. */
  calls: Record<string, number>;
  /** Stores a secret as an admin would with the portal or CLI, outside any client under test; returns its version. */
  seedSecret(name: string, value: string): string;
  setFaults(faults: AzureFaults): void;
  setPermissions(permissions: SecretPermission[]): void;
  /** Makes every issued token expire now, as if an hour had passed. */
  expireTokens(): void;
  close(): Promise<void>;
}

interface SecretVersion {
  id: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  created: number;
}

interface SecretEntry {
  versions: SecretVersion[];
  deleted: { at: number; polls: number } | null;
}

interface IssuedToken {
  audience: string;
  clientId: string;
  expiresAt: number;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const vaultError = (status: number, code: string, message: string, inner?: string) =>
  new HttpFailure(status, { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } });

export async function startAzureKeyVaultEmulator(options: AzureKeyVaultEmulatorOptions = {}): Promise<AzureKeyVaultEmulator> {
  const credentials: AzureKeyVaultCredentials = {
    tenantId: options.tenantId ?? randomUUID(),
    clientId: options.clientId ?? randomUUID(),
    clientSecret: options.clientSecret ?? `emu~${randomBytes(24).toString('base64url')}`,
    subscriptionId: options.subscriptionId ?? randomUUID(),
    vaultName: options.vaultName ?? 'strongroom-emulated',
  };
  const vaults = options.vaults ?? [{ name: credentials.vaultName, resourceGroup: 'strongroom-rg', location: 'westeurope' }];
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
  const deletedVisibleAfterPolls = options.deletedVisibleAfterPolls ?? 1;
  let permissions = new Set<SecretPermission>(options.permissions ?? ['get', 'list', 'set', 'delete', 'purge']);
  const tls = options.tls ?? (await createTestCa());
  const secrets = new Map<string, SecretEntry>();
  const tokens = new Map<string, IssuedToken>();
  const calls: Record<string, number> = {};
  let faults: AzureFaults = {};
  let endpoint = '';

  const count = (operation: string) => {
    calls[operation] = (calls[operation] ?? 0) + 1;
  };

  const server: Server = createServer({ key: tls.key, cert: tls.certificate }, (request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const body = await readBody(request);
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const result = await route(request, new URL(request.url ?? '/', endpoint), body);
      send(response, result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof HttpFailure) send(response, error.status, error.body, error.headers);
      else send(response, 500, { error: { code: 'InternalServerError', message: String(error) } });
    }
  }

  async function route(request: IncomingMessage, url: URL, body: string): Promise<Reply> {
    const method = request.method ?? 'GET';
    const segments = url.pathname.split('/').filter((segment, index, all) => segment !== '' || index === all.length - 1).map(decodeURIComponent);
    const [first, second, third, fourth] = segments;

    if (method === 'GET' && second === 'v2.0' && third === '.well-known' && fourth === 'openid-configuration') {
      count('openidConfiguration');
      return ok(openIdConfiguration(first ?? ''));
    }
    if (method === 'POST' && second === 'oauth2' && third === 'v2.0' && fourth === 'token') {
      count('token');
      return issueToken(first ?? '', new URLSearchParams(body));
    }
    if (first === 'subscriptions') return listResources(request, url, second ?? '', segments.slice(2));
    if (first === 'secrets' || first === 'deletedsecrets') return vaultOperation(request, url, method, segments, body);
    throw vaultError(404, 'NotFound', `No route for ${method} ${url.pathname}`);
  }

  function openIdConfiguration(tenant: string) {
    const base = `${endpoint}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${endpoint}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${endpoint}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  function issueToken(tenant: string, form: URLSearchParams): Reply {
    const identityError = (status: number, error: string, code: number, description: string) =>
      new HttpFailure(status, {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
        error_codes: [code],
        timestamp: new Date().toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      });
    if (tenant !== credentials.tenantId) throw identityError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    if (form.get('grant_type') !== 'client_credentials') throw identityError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== credentials.clientId) {
      throw identityError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
    }
    if (form.get('client_secret') !== credentials.clientSecret) {
      throw identityError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const scope = form.get('scope') ?? '';
    const audience = scope.split(' ').find((item) => item.endsWith('/.default'))?.replace(/\/\.default$/, '').replace(/\/$/, '');
    if (audience !== VAULT_AUDIENCE && audience !== ARM_AUDIENCE) {
      throw identityError(400, 'invalid_resource', 500011, `The resource principal named ${audience ?? scope} was not found in the tenant.`);
    }
    const token = randomBytes(32).toString('base64url');
    tokens.set(token, { audience, clientId: credentials.clientId, expiresAt: Date.now() + tokenLifetimeSeconds * 1000 });
    return ok({ token_type: 'Bearer', expires_in: tokenLifetimeSeconds, ext_expires_in: tokenLifetimeSeconds, access_token: token });
  }

  /** Returns why a bearer token is refused, or null when it is good for `audience`. */
  function tokenProblem(request: IncomingMessage, audience: string): string | null {
    const header = request.headers.authorization;
    if (!header) return 'missing';
    const match = /^Bearer (\S+)$/.exec(header);
    const issued = match ? tokens.get(match[1]!) : undefined;
    if (!issued) return 'invalid';
    if (issued.expiresAt <= Date.now()) return 'expired';
    if (issued.audience !== audience) return 'audience';
    return null;
  }

  function applyFaults(): void {
    if (faults.throttle && faults.throttle.count > 0) {
      faults.throttle.count--;
      count('throttled');
      throw new HttpFailure(
        429,
        { error: { code: 'Throttled', message: 'Operations per second is over the allowed limit. Retry after the interval in the Retry-After header.' } },
        { 'retry-after': String(faults.throttle.retryAfterSeconds ?? 0) },
      );
    }
    if (faults.serverErrors && faults.serverErrors.count > 0) {
      faults.serverErrors.count--;
      count('failed');
      throw vaultError(faults.serverErrors.status ?? 503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
    }
  }

  function requireApiVersion(url: URL): void {
    if (!url.searchParams.get('api-version')) throw vaultError(400, 'BadParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }

  function listResources(request: IncomingMessage, url: URL, subscription: string, rest: string[]): Reply {
    count('listResources');
    requireApiVersion(url);
    const problem = tokenProblem(request, ARM_AUDIENCE);
    if (problem) {
      const codes: Record<string, [string, string]> = {
        missing: ['AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."],
        invalid: ['InvalidAuthenticationToken', 'The access token is invalid.'],
        expired: ['ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.'],
        audience: ['InvalidAuthenticationTokenAudience', "The access token has been obtained for wrong audience or resource. It should exactly match one of the allowed audiences 'https://management.azure.com/'."],
      };
      const [code, message] = codes[problem]!;
      throw new HttpFailure(401, { error: { code, message } }, { 'www-authenticate': `Bearer authorization_uri="${endpoint}/", error="invalid_token"` });
    }
    applyFaults();
    if (subscription !== credentials.subscriptionId) throw vaultError(404, 'SubscriptionNotFound', `The subscription '${subscription}' could not be found.`);
    if (rest.length !== 1 || rest[0] !== 'resources') throw vaultError(404, 'NotFound', `No route for ${url.pathname}`);
    const filter = url.searchParams.get('$filter');
    if (filter && !/^resourceType eq 'Microsoft\.KeyVault\/vaults'$/i.test(filter.trim())) {
      throw vaultError(400, 'InvalidFilterInQueryString', `Invalid $filter '${filter}' specified in the query string.`);
    }
    return ok({
      value: vaults.map((vault) => ({
        id: `/subscriptions/${subscription}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`,
        name: vault.name,
        type: 'Microsoft.KeyVault/vaults',
        location: vault.location,
        tags: {},
      })),
    });
  }

  function vaultOperation(request: IncomingMessage, url: URL, method: string, segments: string[], body: string): Reply {
    count('vaultRequests');
    requireApiVersion(url);
    const problem = tokenProblem(request, VAULT_AUDIENCE);
    if (problem) {
      count(problem === 'missing' ? 'challenge' : 'unauthorized');
      const messages: Record<string, string> = {
        missing: 'AKV10000: Request is missing a Bearer or PoP token.',
        invalid: 'AKV10032: Invalid issuer or signature.',
        expired: 'AKV10013: The token has expired.',
        audience: 'AKV10022: Invalid audience.',
      };
      throw new HttpFailure(
        401,
        { error: { code: 'Unauthorized', message: messages[problem] } },
        { 'www-authenticate': `Bearer authorization="${endpoint}/${credentials.tenantId}", resource="${VAULT_AUDIENCE}"` },
      );
    }
    applyFaults();
    const [collection, name, version, extra] = segments;
    if (collection === 'secrets') {
      if (name === undefined || name === '') {
        if (method === 'GET') return listSecrets(url);
      } else if (method === 'PUT' && version === undefined) {
        return setSecret(name, body);
      } else if (method === 'GET' && version === 'versions' && extra === undefined) {
        return listVersions(name, url);
      } else if (method === 'GET' && extra === undefined) {
        return getSecret(name, version || undefined);
      } else if (method === 'DELETE' && version === undefined) {
        return deleteSecret(name);
      }
    } else if (collection === 'deletedsecrets' && name && version === undefined) {
      if (method === 'GET') return getDeletedSecret(name);
      if (method === 'DELETE') return purgeDeletedSecret(name);
    }
    throw vaultError(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`);
  }

  function requirePermission(permission: SecretPermission): void {
    if (permissions.has(permission)) return;
    count('forbidden');
    throw vaultError(
      403,
      'Forbidden',
      `The user, group or application 'appid=${credentials.clientId};oid=${credentials.clientId};iss=https://sts.windows.net/${credentials.tenantId}/' does not have secrets ${permission} permission on key vault '${credentials.vaultName};location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied',
    );
  }

  function checkName(name: string): void {
    if (!NAME_PATTERN.test(name)) throw vaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
  }

  const secretId = (name: string, version?: string) => `${endpoint}/secrets/${name}${version ? `/${version}` : ''}`;
  const attributes = (created: number) => ({ enabled: true, created, updated: created, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 });
  const bundle = (name: string, version: SecretVersion) => ({
    value: version.value,
    id: secretId(name, version.id),
    ...(version.contentType ? { contentType: version.contentType } : {}),
    ...(version.tags ? { tags: version.tags } : {}),
    attributes: attributes(version.created),
  });
  const item = (name: string, version: SecretVersion, withVersion: boolean) => ({
    id: secretId(name, withVersion ? version.id : undefined),
    ...(version.contentType ? { contentType: version.contentType } : {}),
    ...(version.tags ? { tags: version.tags } : {}),
    attributes: attributes(version.created),
  });

  function setSecret(name: string, body: string): Reply {
    count('setSecret');
    requirePermission('set');
    checkName(name);
    let parsed: { value?: unknown; contentType?: unknown; tags?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw vaultError(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    if (typeof parsed.value !== 'string') throw vaultError(400, 'BadParameter', 'Property value is required.');
    if (Buffer.byteLength(parsed.value, 'utf8') > MAX_VALUE_BYTES) {
      throw vaultError(400, 'BadParameter', `The secret value exceeds the maximum size of ${MAX_VALUE_BYTES} bytes.`);
    }
    const entry = secrets.get(name) ?? { versions: [], deleted: null };
    if (entry.deleted) {
      throw vaultError(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    }
    const version: SecretVersion = {
      id: randomBytes(16).toString('hex'),
      value: parsed.value,
      created: Math.floor(Date.now() / 1000),
      ...(typeof parsed.contentType === 'string' ? { contentType: parsed.contentType } : {}),
      ...(parsed.tags && typeof parsed.tags === 'object' ? { tags: parsed.tags as Record<string, string> } : {}),
    };
    entry.versions.push(version);
    secrets.set(name, entry);
    return ok(bundle(name, version));
  }

  function notFound(name: string): HttpFailure {
    return vaultError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    );
  }

  function liveEntry(name: string): SecretEntry {
    const entry = secrets.get(name);
    if (!entry || entry.deleted) throw notFound(name);
    return entry;
  }

  function getSecret(name: string, versionId: string | undefined): Reply {
    count('getSecret');
    requirePermission('get');
    checkName(name);
    const entry = liveEntry(name);
    const version = versionId ? entry.versions.find((candidate) => candidate.id === versionId) : entry.versions.at(-1);
    if (!version) throw notFound(`${name}/${versionId}`);
    return ok(bundle(name, version));
  }

  function page<T>(items: T[], url: URL, path: string): { value: T[]; nextLink: string | null } {
    const size = Math.min(Number(url.searchParams.get('maxresults')) || PAGE_SIZE, PAGE_SIZE);
    const start = Number(url.searchParams.get('$skiptoken') ?? '0') || 0;
    const next = start + size < items.length ? `${endpoint}${path}?api-version=${url.searchParams.get('api-version')}&$skiptoken=${start + size}&maxresults=${size}` : null;
    return { value: items.slice(start, start + size), nextLink: next };
  }

  function listSecrets(url: URL): Reply {
    count('listSecrets');
    requirePermission('list');
    const live = [...secrets.entries()].filter(([, entry]) => !entry.deleted).sort(([a], [b]) => a.localeCompare(b));
    return ok(page(live.map(([name, entry]) => item(name, entry.versions.at(-1)!, false)), url, '/secrets'));
  }

  function listVersions(name: string, url: URL): Reply {
    count('listVersions');
    requirePermission('list');
    const entry = liveEntry(name);
    return ok(page(entry.versions.map((version) => item(name, version, true)), url, `/secrets/${name}/versions`));
  }

  function deletedBundle(name: string, entry: SecretEntry) {
    const latest = entry.versions.at(-1)!;
    const deletedDate = Math.floor(entry.deleted!.at / 1000);
    return {
      recoveryId: `${endpoint}/deletedsecrets/${name}`,
      deletedDate,
      scheduledPurgeDate: deletedDate + 90 * 86400,
      ...item(name, latest, true),
    };
  }

  function deleteSecret(name: string): Reply {
    count('deleteSecret');
    requirePermission('delete');
    const entry = liveEntry(name);
    entry.deleted = { at: Date.now(), polls: 0 };
    return ok(deletedBundle(name, entry));
  }

  function deletedEntry(name: string): SecretEntry {
    const entry = secrets.get(name);
    if (!entry?.deleted) throw vaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return entry;
  }

  function getDeletedSecret(name: string): Reply {
    count('getDeletedSecret');
    requirePermission('get');
    const entry = deletedEntry(name);
    if (entry.deleted!.polls++ < deletedVisibleAfterPolls) throw vaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return ok(deletedBundle(name, entry));
  }

  function purgeDeletedSecret(name: string): Reply {
    count('purgeDeletedSecret');
    requirePermission('purge');
    deletedEntry(name);
    secrets.delete(name);
    return { status: 204, body: null };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    caCertificate: tls.caCertificate,
    credentials,
    calls,
    setFaults(next) {
      faults = structuredClone(next);
    },
    seedSecret(name, value) {
      checkName(name);
      const entry = secrets.get(name) ?? { versions: [], deleted: null };
      const version: SecretVersion = { id: randomBytes(16).toString('hex'), value, created: Math.floor(Date.now() / 1000) };
      entry.versions.push(version);
      secrets.set(name, entry);
      return version.id;
    },
    setPermissions(next) {
      permissions = new Set(next);
    },
    expireTokens() {
      for (const token of tokens.values()) token.expiresAt = 0;
    },
    close: () => closeServer(server),
  };
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === null ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...(body === null ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': Buffer.byteLength(text),
    'x-ms-request-id': randomUUID(),
    ...headers,
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Clients keep sockets alive between calls; without this close waits for them to time out.
    server.closeAllConnections();
  });
}

/** Ready-to-paste manager configuration for the emulator, as `strongroom manager add --config` reads it. */
export function managerConfig(emulator: AzureKeyVaultEmulator) {
  const { tenantId, clientId, clientSecret, subscriptionId, vaultName } = emulator.credentials;
  return {
    environment: 'global' as const,
    tenantId,
    clientId,
    clientSecret,
    subscription: subscriptionId,
    vaultName,
    vaultUrl: emulator.endpoint,
    authorityHost: emulator.endpoint,
    resourceManagerUrl: emulator.endpoint,
    caCertificate: emulator.caCertificate,
  };
}

/** `npm run emulator -- azure [--port P]`: prints one JSON line, then serves until interrupted. */
export async function runStandalone(args: string[]): Promise<AzureKeyVaultEmulator> {
  const portFlag = args.indexOf('--port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 0;
  const emulator = await startAzureKeyVaultEmulator({ port });
  console.log(JSON.stringify({ emulator: 'azure-key-vault', endpoint: emulator.endpoint, credentials: emulator.credentials, managerConfig: managerConfig(emulator) }));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return emulator;
}
