/**
 * What the two AWS providers share: the connection fields (region, static
 * keys, optional assume-role, endpoint overrides), the client settings that
 * keep every SDK call on the configured endpoint, and the mapping of AWS
 * errors to ProviderError.
 *
 * Credentials are always explicit. The SDK's default chain would read
 * environment variables, profiles and the EC2/ECS metadata services; a
 * desktop delegate must never send a request anywhere the admin did not
 * configure, so the "ambient credentials of the machine" option is left out.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { randomBytes } from 'node:crypto';
import type { AwsConnection } from '../../src-shared/manager-configs/aws.js';
import type * as StsSdk from '@aws-sdk/client-sts';
import { lazyPackage } from '../lazy-package.js';
import { NETWORK_ERROR_CODES, ProviderError, TLS_ERROR_CODES, type ProviderTestResult } from './provider.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';

/** Options a caller (the delegate service, tests, the benchmark) may set on any provider. */
export interface ProviderOptions {
  /** Retries of throttled and 5xx calls; defaults to DEFAULT_RETRY. */
  retry?: RetryPolicy;
  /** Connect and response timeout per request, in ms (default 15,000). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const stsSdk = lazyPackage<typeof StsSdk>('@aws-sdk/client-sts');


type AwsService = 'kms' | 'secretsmanager' | 'sts';

/** The regional endpoint, written out so the SDK never takes one from AWS_ENDPOINT_URL or a shared config file. */
export function serviceEndpoint(connection: AwsConnection, service: AwsService): string {
  const override = service === 'sts' ? connection.stsEndpoint : connection.endpoint;
  if (override) return override.replace(/\/$/, '');
  const suffix = connection.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${service}.${connection.region}.${suffix}`;
}

interface AwsIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Refresh temporary credentials this long before they expire, so no request is signed with a key about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The credentials a client signs with, and when they expire (assume-role only). */
export interface AwsCredentialSource {
  provider: () => Promise<AwsIdentity>;
  expiresAt(): Date | null;
}

export function credentialSource(connection: AwsConnection, options: ProviderOptions): AwsCredentialSource {
  const staticKeys: AwsIdentity = { ...connection.credentials };
  const role = connection.assumeRole;
  if (!role) return { provider: async () => staticKeys, expiresAt: () => null };

  const { AssumeRoleCommand, STSClient } = stsSdk();
  const sts = new STSClient({ ...clientSettings(connection, 'sts', options), credentials: staticKeys });
  const stsEndpoint = serviceEndpoint(connection, 'sts');
  let current: AwsIdentity | null = null;
  let pending: Promise<AwsIdentity> | null = null;
  // Not retried here: the failure reaches the provider call that needed the credentials, and its retry covers both.
  const assume = async (): Promise<AwsIdentity> => {
    const result = await sts
      .send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: `strongroom-${randomBytes(6).toString('hex')}`,
          DurationSeconds: role.durationSeconds,
          ExternalId: role.externalId,
        }),
      )
      .catch((error: unknown) => {
        throw mapAwsError(error, stsEndpoint, `assuming role ${role.roleArn}`);
      });
    const issued = result.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken || !issued.Expiration) {
      throw new ProviderError('PROVIDER_ERROR', `STS returned no credentials for ${role.roleArn}.`);
    }
    current = { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken, expiration: issued.Expiration };
    return current;
  };
  return {
    provider: async () => {
      if (current?.expiration && current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS) return current;
      pending ??= assume().finally(() => (pending = null));
      return pending;
    },
    expiresAt: () => current?.expiration ?? null,
  };
}

/**
 * Client settings shared by every AWS client we build. SDK retries are off
 * (maxAttempts 1) because withRetry owns retrying; the agents are our own so
 * that no proxy agent is ever slotted in, whatever the environment says.
 * The middleware stack is resolved once per command class (cacheMiddleware),
 * not sorted again for every call: nothing here changes it between calls, and
 * a migration makes tens of thousands of them.
 */
export function clientSettings(connection: AwsConnection, service: AwsService, options: ProviderOptions) {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    region: connection.region,
    endpoint: serviceEndpoint(connection, service),
    maxAttempts: 1,
    cacheMiddleware: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64, ...(connection.caCertificate ? { ca: [...rootCertificates, connection.caCertificate] } : {}) }),
      connectionTimeout: timeout,
      requestTimeout: timeout,
    },
  };
}

/**
 * Cuts the work the SDK repeats for every request of a client; a migration
 * makes tens of thousands of them, and the delegate spent most of its CPU in
 * the SDK.
 * - One SigV4 signer per client. By default the SDK builds a new one for each
 *   request, copying the whole client configuration into it; the signer takes
 *   the date, region and service with each request and asks the credential
 *   source each time, so one per client signs exactly the same. A signer that
 *   could not be built is built again next time.
 * - No User-Agent built per request: the SDK's names this computer's OS and
 *   its release (a system call each time) and the SDK features used, which no
 *   endpoint needs and a desktop need not tell it. Nor the Lambda trace
 *   header, taken from variables the delegate's scrubbed environment never has.
 */
export function trimPerRequestWork(client: {
  config: { signer: (authScheme?: never) => Promise<unknown> };
  middlewareStack: { remove(name: string): boolean };
}): void {
  client.middlewareStack.remove('getUserAgentMiddleware');
  client.middlewareStack.remove('recursionDetectionMiddleware');
  const build = client.config.signer;
  let signer: Promise<unknown> | null = null;
  client.config.signer = (authScheme) =>
    (signer ??= build(authScheme).catch((error: unknown) => {
      signer = null;
      throw error;
    }));
}

type Facts = ProviderTestResult['facts'];
/**
 * Runs one named stage of a connection test. `optionalPermission` names a
 * permission the manager can work without: its denial becomes a warning, not a
 * failed test. Any other failure ends the test, since later stages would only
 * repeat it.
 */
export type TestCheck = (name: string, optionalPermission: string | null, run: () => Promise<string>) => Promise<void>;

class StopChecks extends Error {}

/** Runs a provider's read-only test stages in order, with timings, and adds the credential facts both AWS kinds show. */
export async function runChecks(
  source: AwsCredentialSource,
  connection: AwsConnection,
  stages: (check: TestCheck, facts: Facts, warnings: string[]) => Promise<void>,
): Promise<ProviderTestResult> {
  const result: ProviderTestResult = { ok: true, checks: [], facts: {}, warnings: [] };
  result.facts.region = connection.region;
  result.facts.authentication = connection.assumeRole ? `assumed role ${connection.assumeRole.roleArn}` : 'access key';
  if (connection.credentials.sessionToken && !connection.assumeRole) {
    result.warnings.push('These are temporary credentials (they carry a session token): they expire and Strongroom cannot renew them. Prefer an IAM user key, or assume-role.');
  }
  const check: TestCheck = async (name, optionalPermission, run) => {
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)} ms`;
    try {
      const detail = await run();
      result.checks.push({ name, ok: true, detail: `${detail} (${elapsed()})` });
    } catch (error) {
      const failure = error instanceof ProviderError ? error : new ProviderError('PROVIDER_ERROR', String(error));
      result.checks.push({ name, ok: false, detail: `${failure.message} (${elapsed()})` });
      if (optionalPermission && failure.code === 'PERMISSION_DENIED') {
        result.warnings.push(`${name} was skipped: the credentials lack ${optionalPermission}. Strongroom works without it, but cannot show what it reports.`);
        return;
      }
      result.ok = false;
      result.facts.errorCode = failure.code;
      if (failure.extra.permission) result.facts.missingPermission = failure.extra.permission;
      throw new StopChecks();
    }
  };
  try {
    await stages(check, result.facts, result.warnings);
  } catch (error) {
    if (!(error instanceof StopChecks)) throw error;
  }
  result.facts.credentialsExpireAt = source.expiresAt()?.toISOString() ?? null;
  return result;
}

/** Runs one AWS call with bounded retries of throttling and 5xx, turning every failure into a ProviderError. */
export function awsCall<T>(endpoint: string, what: string, options: ProviderOptions, call: () => Promise<T>): Promise<T> {
  return withRetry(
    () =>
      call().catch((error: unknown) => {
        throw mapAwsError(error, endpoint, what);
      }),
    options.retry ?? DEFAULT_RETRY,
  );
}

const AUTH_ERRORS: Record<string, string> = {
  UnrecognizedClientException: 'the access key id is unknown or deactivated',
  InvalidClientTokenId: 'the access key id is unknown or deactivated',
  InvalidSignatureException: 'the secret access key does not match the access key id',
  SignatureDoesNotMatch: 'the secret access key does not match the access key id',
  IncompleteSignatureException: 'the request signature is incomplete',
  MissingAuthenticationTokenException: 'the request carried no credentials',
  ExpiredTokenException: 'the session token has expired: enter fresh temporary credentials',
  ExpiredToken: 'the session token has expired: enter fresh temporary credentials',
};
const THROTTLE_ERRORS = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const NOT_FOUND_ERRORS = new Set(['NotFoundException', 'ResourceNotFoundException']);
const CONFLICT_ERRORS = new Set(['ResourceExistsException', 'KMSInvalidStateException', 'DisabledException', 'InvalidRequestException', 'PreconditionNotMetException']);
const INVALID_ERRORS = new Set(['ValidationException', 'ValidationError', 'InvalidParameterException', 'InvalidKeyUsageException', 'IncorrectKeyException', 'SerializationException']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  errors?: SdkError[];
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Node's transport errors (refused, DNS, timeouts, TLS), shared shape across SDKs. */
function transportError(error: unknown, endpoint: string): ProviderError | null {
  const e = (error ?? {}) as SdkError;
  const code = e.code ?? e.errors?.find((inner) => inner.code)?.code;
  if (code && TLS_ERROR_CODES.has(code)) {
    return new ProviderError('TLS_UNTRUSTED', `The TLS certificate of ${endpoint} is not trusted (${code}): check the endpoint, or give its CA as caCertificate.`);
  }
  if ((code && NETWORK_ERROR_CODES.has(code)) || e.name === 'TimeoutError') {
    return new ProviderError('UNREACHABLE', `Cannot reach ${endpoint} (${code ?? 'timed out'}): check the endpoint, the network and any firewall.`);
  }
  return null;
}

/** Turns an AWS SDK or transport error into something an admin can act on. */
function mapAwsError(error: unknown, endpoint: string, what: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const transport = transportError(error, endpoint);
  if (transport) return transport;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const detail = e.message && e.message !== 'UnknownError' ? e.message : name;
  const status = e.$metadata?.httpStatusCode ?? 0;

  if (name in AUTH_ERRORS) {
    const skew = /Signature (expired|not yet current)/.test(detail);
    // The SDK re-based its clock on the server's Date header; one more attempt signs with the corrected time.
    const retryable = skew && e.$metadata?.clockSkewCorrected === true;
    const reason = skew ? 'this computer\'s clock differs from AWS by more than 5 minutes: correct the system clock' : AUTH_ERRORS[name];
    return new ProviderError('AUTH_FAILED', `AWS rejected the credentials while ${what}: ${reason} (${name}).`, { retryable });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    const permission = /not authorized to perform: ([\w-]+:[\w-]+)/.exec(detail)?.[1];
    const missing = permission ? `the credentials lack ${permission}: allow it in the IAM policy (and the key policy for KMS)` : detail;
    return new ProviderError('PERMISSION_DENIED', `Permission denied while ${what}: ${missing}.`, permission ? { permission } : {});
  }
  if (THROTTLE_ERRORS.has(name) || status === 429) {
    const retryAfter = Number(e.$response?.headers?.['retry-after']);
    return new ProviderError('THROTTLED', `AWS is throttling requests while ${what}, and the retries ran out: try again in a moment.`, {
      retryable: true,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  if (NOT_FOUND_ERRORS.has(name)) return new ProviderError('NOT_FOUND', `Not found while ${what}: ${detail}`);
  if (name === 'InvalidCiphertextException') {
    return new ProviderError('INVALID', `The wrapped key was tampered with, or belongs to another key or encryption context, while ${what}.`);
  }
  if (CONFLICT_ERRORS.has(name)) return new ProviderError('CONFLICT', `AWS refused ${what} in the resource's current state: ${detail}`);
  if (INVALID_ERRORS.has(name)) return new ProviderError('INVALID', `AWS refused the request while ${what}: ${detail}`);
  if (status >= 500) return new ProviderError('PROVIDER_ERROR', `AWS failed while ${what} (${name}, HTTP ${status}).`, { retryable: true });
  return new ProviderError('PROVIDER_ERROR', `AWS failed while ${what}: ${detail} (${name}).`);
}
