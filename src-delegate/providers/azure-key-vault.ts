/**
 * Azure Key Vault as a secret store, through the official
 * @azure/keyvault-secrets client and a client-secret credential from
 * @azure/identity. The SDKs load lazily: a delegate without an Azure manager
 * never pays for MSAL.
 *
 * Both SDKs reach only the configured endpoints: every request goes through
 * our own https.Agent, which the pipeline's proxy policy leaves alone (it
 * would otherwise honour HTTP(S)_PROXY even for loopback), instance discovery
 * is off, and SDK retries are off so withRetry alone decides what is retried.
 */
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { z } from 'zod';
import * as azureConfig from '../../src-shared/manager-configs/azure-key-vault.js';
import type { AzureConnection, AzureConnectionInput, AzureKeyVaultConfig, AzureKeyVaultConfigInput } from '../../src-shared/manager-configs/azure-key-vault.js';
export type { AzureConnection, AzureConnectionInput, AzureKeyVaultConfig, AzureKeyVaultConfigInput } from '../../src-shared/manager-configs/azure-key-vault.js';
import { withParsedCaCertificate } from './pem-certificate.js';
import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import { NETWORK_ERROR_CODES, ProviderError, TLS_ERROR_CODES, type ProviderTestResult, type RemoteDeletion, type SecretStore, type StoredValue } from './provider.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';

export const kind = 'azure-key-vault';

const clouds = {
  global: {
    authorityHost: 'https://login.microsoftonline.com',
    vaultDomain: 'vault.azure.net',
    resourceManagerUrl: 'https://management.azure.com',
  },
  'us-government': {
    authorityHost: 'https://login.microsoftonline.us',
    vaultDomain: 'vault.usgovcloudapi.net',
    resourceManagerUrl: 'https://management.usgovcloudapi.net',
  },
} as const;

/** The shared schemas (src-shared/manager-configs/azure-key-vault.ts), with the CA parsed as X.509. */
export const connectionSchema = withParsedCaCertificate(azureConfig.connectionSchema);
export const configSchema = withParsedCaCertificate(azureConfig.configSchema);

export const MAX_VALUE_BYTES = 25 * 1024;
const NAME_PATTERN = /^[0-9a-zA-Z-]+$/;
const MAX_NAME_LENGTH = 127;
const VERSION_PATTERN = /^[0-9a-fA-F]{32}$/;
const RESOURCES_API_VERSION = '2021-04-01';

export interface AzureStoreOptions {
  retry?: RetryPolicy;
}

/** A vault the subscription holds, for the manager form's vault picker. */
export interface AzureVaultSummary {
  name: string;
  resourceGroup: string | null;
  location: string | null;
}

export interface AzureKeyVaultStore extends SecretStore {
  readonly kind: typeof kind;
  /** Releases the connection pool. */
  close(): void;
}

export function create(input: AzureKeyVaultConfigInput, options: AzureStoreOptions = {}): AzureKeyVaultStore {
  const config = parse(configSchema, input);
  const cloud = clouds[config.environment];
  const vaultUrl = config.vaultUrl ?? `https://${config.vaultName}.${cloud.vaultDomain}`;
  const retry = options.retry ?? DEFAULT_RETRY;
  const connection = connect(config);
  let client: Promise<SecretClient> | null = null;

  const secretClient = () =>
    (client ??= import('@azure/keyvault-secrets').then(
      ({ SecretClient }) =>
        new SecretClient(vaultUrl, connection.credential, {
          ...connection.pipelineOptions,
          // The SDK checks that the challenge's resource is a parent domain of the vault; a loopback or private-endpoint override never is.
          disableChallengeResourceVerification: config.vaultUrl !== undefined,
        }),
    ));

  const call = <T>(action: string, permission: string, operation: (client: SecretClient) => Promise<T>): Promise<T> =>
    withRetry(async () => {
      try {
        return await operation(await secretClient());
      } catch (error) {
        throw toProviderError(error, action, permission);
      }
    }, retry);

  const read = async (name: string, version: string | undefined): Promise<StoredValue> => {
    const secret = await call(`read secret ${name}`, 'secrets/get', (c) => c.getSecret(name, version ? { version } : {}));
    if (secret.value === undefined || !secret.properties.version) throw new ProviderError('PROVIDER_ERROR', `Azure Key Vault returned secret ${name} without a value or version.`);
    return { value: secret.value, versionId: secret.properties.version };
  };

  const store: AzureKeyVaultStore = {
    role: 'secret-store',
    kind,
    maxValueBytes: MAX_VALUE_BYTES,

    checkName: (name) => (name.length === 0 ? 'A name is required.' : checkName(config.namePrefix + name)),
    keepsVersions: true,
    locate: (name) => config.namePrefix + name,

    async exists(name) {
      const full = config.namePrefix + name;
      try {
        await call(`look up secret ${full}`, 'secrets/get', (c) => c.getSecret(full));
        return true;
      } catch (error) {
        if (!(error instanceof ProviderError && error.code === 'NOT_FOUND')) throw error;
      }
      // A deleted secret still in its retention period blocks the name as well.
      try {
        await call(`look up deleted secret ${full}`, 'secrets/list', (c) => c.getDeletedSecret(full));
        return true;
      } catch (error) {
        if (error instanceof ProviderError && (error.code === 'NOT_FOUND' || error.code === 'PERMISSION_DENIED')) return false;
        throw error;
      }
    },

    async put(name, value, mode) {
      const full = config.namePrefix + name;
      const refusal = store.checkName(name);
      if (refusal) throw new ProviderError('INVALID', refusal);
      const size = Buffer.byteLength(value, 'utf8');
      if (size > MAX_VALUE_BYTES) throw new ProviderError('INVALID', `Azure Key Vault holds values up to ${MAX_VALUE_BYTES} bytes; this one has ${size}.`);
      // Azure has no conditional create: a look just before the write is the best it allows.
      if (mode === 'create' && (await store.exists(name))) throw new ProviderError('EXISTS', `Secret ${full} already exists in Azure Key Vault ${config.vaultName}, and Strongroom did not write it.`);
      const secret = await call(`write secret ${full}`, 'secrets/set', (c) => c.setSecret(full, value, { tags: { 'managed-by': 'strongroom' } }));
      if (!secret.properties.version) throw new ProviderError('PROVIDER_ERROR', `Azure Key Vault did not return a version for secret ${full}.`);
      return { reference: full, versionId: secret.properties.version };
    },

    async get(reference, versionId) {
      const parsed = parseReference(reference, vaultUrl);
      return read(parsed.name, versionId ?? parsed.version);
    },

    async delete(reference, own): Promise<RemoteDeletion> {
      const { name } = parseReference(reference, vaultUrl);
      if (!name.startsWith(config.namePrefix)) {
        throw new ProviderError('INVALID', `Refusing to delete ${name}: Strongroom deletes only secrets it created under the prefix "${config.namePrefix}".`);
      }
      let versions: string[];
      try {
        versions = await call(`list versions of secret ${name}`, 'secrets/list', async (c) => {
          const found: string[] = [];
          for await (const properties of c.listPropertiesOfSecretVersions(name)) if (properties.version) found.push(properties.version);
          return found;
        });
      } catch (error) {
        // Already gone: a removal interrupted half way can simply be repeated.
        if (error instanceof ProviderError && error.code === 'NOT_FOUND') return { removed: 'nothing', detail: `Secret ${name} was already gone from Azure Key Vault.` };
        throw error;
      }
      // Azure deletes whole secrets only: one holding a version someone else wrote stays.
      const mine = new Set(own.versions);
      const foreign = versions.filter((version) => !mine.has(version));
      if (foreign.length > 0 || !own.created) {
        const why = own.created ? `it holds ${foreign.length} version(s) Strongroom did not write` : 'Strongroom adopted it rather than creating it';
        return { removed: 'nothing', detail: `Secret ${name} kept in Azure Key Vault: ${why}.` };
      }
      // Soft delete: the vault keeps the secret recoverable for its retention period. The first poll is enough;
      // waiting for the deletion to finish would only matter before a purge or recover, which we never do.
      try {
        await call(`delete secret ${name}`, 'secrets/delete', (c) => c.beginDeleteSecret(name));
      } catch (error) {
        if (!(error instanceof ProviderError && error.code === 'NOT_FOUND')) throw error;
      }
      return { removed: 'secret', detail: `Secret ${name} deleted from Azure Key Vault (recoverable during the vault's retention period).` };
    },

    async readReference(reference) {
      const parsed = parseReference(reference, vaultUrl);
      return read(parsed.name, parsed.version);
    },

    async test() {
      return testConnection(config, vaultUrl, connection.credential, secretClient, retry);
    },

    close() {
      connection.agent.destroy();
    },
  };
  return store;
}

/** Lists the subscription's key vaults through Azure Resource Manager, for the manager form. */
export async function listVaults(input: AzureConnectionInput, options: AzureStoreOptions = {}): Promise<AzureVaultSummary[]> {
  const config = parse(connectionSchema, input);
  if (!config.subscription) throw new ProviderError('INVALID', 'Listing vaults needs the subscription id.');
  const armUrl = config.resourceManagerUrl ?? clouds[config.environment].resourceManagerUrl;
  const connection = connect(config);
  try {
    const token = await withRetry(async () => {
      try {
        return await connection.credential.getToken(`${clouds[config.environment].resourceManagerUrl}/.default`);
      } catch (error) {
        throw toProviderError(error, 'sign in to Azure Resource Manager');
      }
    }, options.retry ?? DEFAULT_RETRY);
    if (!token) throw new ProviderError('AUTH_FAILED', 'Microsoft Entra ID returned no token for Azure Resource Manager.');
    const filter = encodeURIComponent("resourceType eq 'Microsoft.KeyVault/vaults'");
    let next: string | null = `${armUrl}/subscriptions/${config.subscription}/resources?$filter=${filter}&api-version=${RESOURCES_API_VERSION}`;
    const vaults: AzureVaultSummary[] = [];
    while (next) {
      // The bearer token must not follow a nextLink to another host.
      if (new URL(next).origin !== new URL(armUrl).origin) throw new ProviderError('PROVIDER_ERROR', `Azure Resource Manager sent a next page on another host (${new URL(next).host}).`);
      const url: string = next;
      const page = await withRetry(() => getJson(url, token.token, connection.agent), options.retry ?? DEFAULT_RETRY);
      const body = page as { value?: { name?: string; id?: string; location?: string }[]; nextLink?: string | null };
      for (const resource of body.value ?? []) {
        if (!resource.name) continue;
        vaults.push({
          name: resource.name,
          resourceGroup: /\/resourceGroups\/([^/]+)\//i.exec(resource.id ?? '')?.[1] ?? null,
          location: resource.location ?? null,
        });
      }
      next = body.nextLink ?? null;
    }
    return vaults.sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    connection.agent.destroy();
  }
}

export function checkName(name: string): string | null {
  if (name.length === 0) return 'A name is required.';
  if (name.length > MAX_NAME_LENGTH) return `Azure Key Vault names have at most ${MAX_NAME_LENGTH} characters; this one has ${name.length}.`;
  if (!NAME_PATTERN.test(name)) return 'Azure Key Vault names allow only letters, digits and dashes.';
  return null;
}

/** Accepts `name`, `name/version`, or a secret identifier URL copied from the portal. */
export function parseReference(reference: string, vaultUrl: string): { name: string; version: string | undefined } {
  let path = reference.trim();
  if (/^https:\/\//i.test(path)) {
    const url = new URL(path);
    if (url.host.toLowerCase() !== new URL(vaultUrl).host.toLowerCase()) {
      throw new ProviderError('INVALID', `The reference points at ${url.host}, not at this manager's vault (${new URL(vaultUrl).host}).`);
    }
    const match = /^\/secrets\/(.+)$/.exec(url.pathname.replace(/\/+$/, ''));
    if (!match) throw new ProviderError('INVALID', 'A secret identifier looks like https://<vault>/secrets/<name>/<version>.');
    path = match[1]!;
  }
  const [name = '', version, ...rest] = path.split('/');
  const refusal = checkName(name);
  if (refusal || rest.length > 0) throw new ProviderError('INVALID', `An Azure reference is name or name/version. ${refusal ?? ''}`.trim());
  if (version !== undefined && version !== '' && !VERSION_PATTERN.test(version)) {
    throw new ProviderError('INVALID', 'An Azure secret version is 32 hexadecimal characters.');
  }
  return { name, version: version || undefined };
}

/**
 * Signs in, then lists the first page of secrets: read-only, never a dummy write.
 * A failed stage ends the test as a failed check carrying the typed error code,
 * so the UI shows how far the connection got.
 */
async function testConnection(
  config: AzureKeyVaultConfig,
  vaultUrl: string,
  credential: TokenCredential,
  secretClient: () => Promise<SecretClient>,
  retry: RetryPolicy,
): Promise<ProviderTestResult> {
  const vaultScope = `https://${clouds[config.environment].vaultDomain}/.default`;
  const result: ProviderTestResult = {
    ok: false,
    checks: [],
    facts: { vaultUrl, environment: config.environment, tenantId: config.tenantId, clientId: config.clientId },
    warnings: [],
  };
  const failed = (check: string, error: unknown): ProviderTestResult => {
    const failure = toProviderError(error, check);
    result.checks.push({ name: check, ok: false, detail: failure.message });
    result.facts.errorCode = failure.code;
    if (failure.extra.permission) result.facts.missingPermission = failure.extra.permission;
    return result;
  };

  try {
    // Signing in on its own tells a rejected client secret apart from a vault that refuses the listing.
    const token = await withRetry(async () => {
      try {
        // CAE, as the Key Vault client asks, so the challenge flow reuses this token instead of fetching another.
        const issued = await credential.getToken(vaultScope, { enableCae: true });
        if (!issued) throw new ProviderError('AUTH_FAILED', 'Microsoft Entra ID returned no token for Key Vault.');
        return issued;
      } catch (error) {
        throw toProviderError(error, 'sign in to Microsoft Entra ID');
      }
    }, retry);
    result.facts.tokenExpiresAt = new Date(token.expiresOnTimestamp).toISOString();
    result.checks.push({ name: 'sign-in', ok: true, detail: `Signed in as application ${config.clientId} in tenant ${config.tenantId}.` });
  } catch (error) {
    return failed('sign-in', error);
  }

  try {
    const page = await withRetry(async () => {
      try {
        const client = await secretClient();
        return (await client.listPropertiesOfSecrets().byPage({ maxPageSize: 25 }).next()).value ?? [];
      } catch (error) {
        throw toProviderError(error, 'list secrets', 'secrets/list');
      }
    }, retry);
    result.facts.secretsOnFirstPage = page.length;
    result.checks.push({ name: 'list secrets', ok: true, detail: `Listed ${page.length} secret${page.length === 1 ? '' : 's'} on the first page.` });
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'PERMISSION_DENIED') {
      result.warnings.push('The application may not list secrets: the UI cannot browse this vault, though reading by name may still work.');
    }
    return failed('list secrets', error);
  }
  result.ok = true;
  return result;
}

interface Connection {
  agent: Agent;
  credential: TokenCredential;
  pipelineOptions: { agent: Agent; retryOptions: { maxRetries: number }; userAgentOptions: { userAgentPrefix: string } };
}

function connect(config: AzureConnection): Connection {
  // MSAL would send token requests to a regional host, or probe the instance metadata service for the region.
  if (process.env.AZURE_REGIONAL_AUTHORITY_NAME) {
    throw new ProviderError('INVALID', 'AZURE_REGIONAL_AUTHORITY_NAME is set in the delegate environment; unset it so Azure sign-in reaches only the configured authority.');
  }
  const agent = new Agent({ keepAlive: true, ...(config.caCertificate ? { ca: [...rootCertificates, config.caCertificate] } : {}) });
  const pipelineOptions = { agent, retryOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: 'strongroom' } };
  const authorityHost = config.authorityHost ?? clouds[config.environment].authorityHost;
  let real: Promise<TokenCredential> | null = null;
  // Built on first use so that MSAL loads only when an Azure manager actually signs in.
  const credential: TokenCredential = {
    getToken: async (scopes, options) => {
      real ??= import('@azure/identity').then(
        ({ ClientSecretCredential }) =>
          new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
            ...pipelineOptions,
            authorityHost,
            // Instance discovery asks login.microsoftonline.com about the authority: a call to a host that may not be the configured one.
            disableInstanceDiscovery: true,
          }),
      );
      try {
        return await (await real).getToken(scopes, options);
      } catch (error) {
        throw (await unreachableAuthority(error, authorityHost, agent)) ?? error;
      }
    },
  };
  return { agent, credential, pipelineOptions };
}

/** How long the sign-in server may take to accept a TLS connection when a failed sign-in is diagnosed. */
const AUTHORITY_PROBE_TIMEOUT_MS = 10_000;

/**
 * MSAL reports a sign-in server it could not reach, or whose certificate it
 * did not trust, as the same `endpoints_resolution_error`, without the socket's
 * error: that reads as rejected credentials. A sign-in that failed without an
 * answer from Entra ID is diagnosed by opening a connection to the authority
 * through the same agent; its error names the cause (null: it is reachable and
 * trusted, so the original failure stands).
 */
async function unreachableAuthority(error: unknown, authorityHost: string, agent: Agent): Promise<ProviderError | null> {
  const answered = (error as { statusCode?: unknown; errorResponse?: unknown }).statusCode !== undefined || (error as { errorResponse?: unknown }).errorResponse !== undefined;
  if (error instanceof ProviderError || answered) return null;
  const url = new URL(authorityHost);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const socketError = await new Promise<unknown>((resolve) => {
    const probe = send(url, { method: 'GET', ...(url.protocol === 'http:' ? {} : { agent }), timeout: AUTHORITY_PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(null);
    });
    probe.on('timeout', () => probe.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    probe.on('error', resolve);
    probe.end();
  });
  if (!socketError) return null;
  const failure = toProviderError(socketError, `sign in to Microsoft Entra ID at ${url.host}`);
  return failure.code === 'TLS_UNTRUSTED' || failure.code === 'UNREACHABLE' ? failure : null;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ProviderError('INVALID', `Invalid Azure Key Vault configuration: ${result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ')}`);
  }
  return result.data;
}

// The Azure pipeline reports a failed send as REQUEST_SEND_ERROR, beside the socket's own codes.
const NETWORK_ERRORS: ReadonlySet<string> = new Set([...NETWORK_ERROR_CODES, 'REQUEST_SEND_ERROR']);

/** Finds a Node or pipeline error code anywhere in a chain of causes: MSAL and the pipeline both wrap. */
function findCode(error: unknown, codes: ReadonlySet<string>): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && codes.has(code)) return code;
    if (typeof message === 'string') {
      for (const candidate of codes) if (message.includes(candidate)) return candidate;
    }
    current = cause;
  }
  return null;
}

/**
 * Turns an SDK, identity or network failure into something an admin can act on.
 * `permission` is the access-policy permission the action needs, named when the
 * vault's own message does not (the SDK's pager drops the message).
 */
export function toProviderError(error: unknown, action: string, permission?: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const tls = findCode(error, TLS_ERROR_CODES);
  if (tls) return new ProviderError('TLS_UNTRUSTED', `Could not ${action}: the server's TLS certificate is not trusted (${tls}). Add the CA certificate to the manager if the vault sits behind a private CA.`);
  const network = findCode(error, NETWORK_ERRORS);
  if (network) return new ProviderError('UNREACHABLE', `Could not ${action}: the server cannot be reached (${network}).`, { retryable: network === 'ECONNRESET' });

  const shaped = error as { name?: string; statusCode?: number; message?: string; errorResponse?: { error?: string; errorDescription?: string }; response?: { headers?: { get(name: string): string | undefined } } };
  const message = firstLine(shaped.message ?? String(error));
  if (shaped.name === 'AuthenticationError' || shaped.name === 'CredentialUnavailableError' || shaped.name === 'AuthenticationRequiredError') {
    const otherTenant = /not configured to acquire tokens for tenant (\S+?)\.?\s/.exec(message)?.[1];
    if (otherTenant) return new ProviderError('AUTH_FAILED', `Could not ${action}: the vault belongs to tenant ${otherTenant}; set the manager's tenant id to it.`);
    const description = firstLine(shaped.errorResponse?.errorDescription ?? message);
    if (shaped.statusCode === 429) return new ProviderError('THROTTLED', `Could not ${action}: Microsoft Entra ID is throttling sign-ins.`, { retryable: true });
    if ((shaped.statusCode ?? 0) >= 500) return new ProviderError('PROVIDER_ERROR', `Could not ${action}: Microsoft Entra ID failed (${shaped.statusCode}).`, { retryable: true });
    return new ProviderError('AUTH_FAILED', `Could not ${action}: Microsoft Entra ID rejected the tenant, client id or client secret. ${description}`.trim());
  }

  const status = shaped.statusCode;
  switch (true) {
    case status === 401:
      return new ProviderError('AUTH_FAILED', `Could not ${action}: Azure Key Vault rejected the access token. ${message}`);
    case status === 403: {
      const named = /does not have secrets (\w+) permission/i.exec(message)?.[1];
      const missing = named ? `secrets/${named}` : (/Action: '([^']+)'/.exec(shaped.message ?? '')?.[1] ?? permission);
      return new ProviderError('PERMISSION_DENIED', `Could not ${action}: ${missing ? `the application lacks the ${missing} permission` : 'permission denied'}. ${message}`, missing ? { permission: missing } : {});
    }
    case status === 404:
      return new ProviderError('NOT_FOUND', `Could not ${action}: not found. ${message}`);
    case status === 409:
      return new ProviderError('CONFLICT', `Could not ${action}: ${message} Recover or purge the deleted secret in Azure, or choose another name.`);
    case status === 429: {
      const retryAfterMs = retryAfter(shaped.response?.headers?.get('retry-after'));
      return new ProviderError('THROTTLED', `Could not ${action}: Azure Key Vault is throttling requests.`, { retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
    case status === 400 || status === 413:
      return new ProviderError('INVALID', `Could not ${action}: ${message}`);
    case status !== undefined && status >= 500:
      return new ProviderError('PROVIDER_ERROR', `Could not ${action}: Azure returned ${status}. ${message}`, { retryable: true });
    default:
      return new ProviderError('PROVIDER_ERROR', `Could not ${action}: ${message}`);
  }
}

function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const firstLine = (text: string) => text.split(/\r?\n/)[0]!.trim();

/** One Resource Manager GET through our agent, errors shaped as the SDK shapes them so toProviderError reads both alike. */
function getJson(url: string, token: string, agent: Agent): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { method: 'GET', agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(toProviderError(error, 'list vaults')));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = null;
        }
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(body);
        const detail = (body as { error?: { code?: string; message?: string } } | null)?.error;
        const failure = Object.assign(new Error(detail ? `${detail.code}: ${detail.message}` : `HTTP ${status}`), {
          statusCode: status,
          response: { headers: { get: (name: string) => response.headers[name.toLowerCase()] as string | undefined } },
        });
        reject(toProviderError(failure, 'list vaults'));
      });
    });
    request.on('error', (error) => reject(toProviderError(error, 'list vaults')));
    request.end();
  });
}
