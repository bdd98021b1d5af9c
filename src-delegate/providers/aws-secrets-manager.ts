/**
 * AWS Secrets Manager as a secret store. Strongroom writes under a flat name
 * prefix (AWS has no folders: `team/app/` is just the start of a name), keeps
 * only the name and the VersionId locally, and reads existing secrets through
 * `name#jsonKey` references without ever writing them.
 */
import { randomUUID } from 'node:crypto';
import { configPatterns } from '../../src-shared/manager-configs/config-rules.js';
import * as secretsManagerConfig from '../../src-shared/manager-configs/aws-secrets-manager.js';
import type { AwsSecretsManagerConfig } from '../../src-shared/manager-configs/aws-secrets-manager.js';
export type { AwsSecretsManagerConfig } from '../../src-shared/manager-configs/aws-secrets-manager.js';
import { withParsedCaCertificate } from './pem-certificate.js';
import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import { lazyPackage } from '../lazy-package.js';
import { ProviderError, type ProviderTestResult, type RemoteDeletion, type SecretStore, type StoredValue } from './provider.js';
import { awsCall, clientSettings, credentialSource, trimPerRequestWork, runChecks, serviceEndpoint, type ProviderOptions } from './aws-common.js';

export const kind = 'aws-secrets-manager';
const secretsManagerSdk = lazyPackage<typeof SecretsManagerSdk>('@aws-sdk/client-secrets-manager');

/** AWS's name rule: ASCII letters, digits and /_+=.@- only, at most 512 characters. */
const NAME_CHARS = configPatterns.awsNameChars;
const MAX_NAME_LENGTH = 512;
/** SecretString quota: 65,536 bytes. */
export const MAX_VALUE_BYTES = 65_536;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** The shared schema (src-shared/manager-configs/aws-secrets-manager.ts), with the CA parsed as X.509. */
export const configSchema = withParsedCaCertificate(secretsManagerConfig.configSchema);

/** Splits `name#jsonKey` (names cannot contain `#`, so the first one separates). */
export function parseReference(reference: string): { secretId: string; jsonKey: string | null } {
  const hash = reference.indexOf('#');
  const secretId = hash === -1 ? reference : reference.slice(0, hash);
  const jsonKey = hash === -1 ? null : reference.slice(hash + 1);
  if (!(SECRET_ARN.test(secretId) || (NAME_CHARS.test(secretId) && secretId.length <= MAX_NAME_LENGTH))) {
    throw new ProviderError('INVALID', `"${secretId}" is neither a Secrets Manager name (ASCII letters, digits, /_+=.@-) nor a secret ARN.`);
  }
  if (jsonKey === '') throw new ProviderError('INVALID', 'The reference ends with "#" but names no JSON key.');
  return { secretId, jsonKey };
}

function selectJsonKey(secretId: string, text: string, jsonKey: string): string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ProviderError('INVALID', `${secretId} does not hold JSON, so "#${jsonKey}" cannot be read from it.`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document) || !Object.hasOwn(document, jsonKey)) {
    throw new ProviderError('NOT_FOUND', `${secretId} has no JSON key "${jsonKey}".`);
  }
  const value = (document as Record<string, unknown>)[jsonKey];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function create(input: AwsSecretsManagerConfig, options: ProviderOptions = {}): SecretStore {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ProviderError('INVALID', `Invalid AWS Secrets Manager configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  const endpoint = serviceEndpoint(config, 'secretsmanager');
  const source = credentialSource(config, options);
  const { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, SecretsManagerClient } = secretsManagerSdk();
  const client = new SecretsManagerClient({ ...clientSettings(config, 'secretsmanager', options), credentials: source.provider });
  trimPerRequestWork(client);
  const call = <T>(what: string, run: () => Promise<T>) => awsCall(endpoint, what, options, run);

  const checkName = (name: string): string | null => {
    if (name.length === 0) return 'The name is empty.';
    if (!NAME_CHARS.test(name)) return 'AWS Secrets Manager names may contain only ASCII letters, digits and /_+=.@-.';
    const full = config.namePrefix.length + name.length;
    if (full > MAX_NAME_LENGTH) return `With the prefix "${config.namePrefix}" the name has ${full} characters; AWS allows ${MAX_NAME_LENGTH}.`;
    return null;
  };

  const read = async (secretId: string, versionId?: string): Promise<StoredValue> => {
    const result = await call(`reading ${secretId}`, () => client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId })));
    if (!result.VersionId) throw new ProviderError('PROVIDER_ERROR', `AWS returned ${secretId} without a VersionId.`);
    if (result.SecretString !== undefined) return { value: result.SecretString, versionId: result.VersionId };
    if (result.SecretBinary) {
      try {
        return { value: new TextDecoder('utf-8', { fatal: true }).decode(result.SecretBinary), versionId: result.VersionId };
      } catch {
        throw new ProviderError('INVALID', `${secretId} holds binary data that is not UTF-8 text; Strongroom reads text secrets only.`);
      }
    }
    throw new ProviderError('NOT_FOUND', `${secretId} has no value in version ${result.VersionId}.`);
  };

  /** Both what put() returned and `name#jsonKey` references pass through here, so main can reveal either with get(). */
  const readParsed = async (reference: string, versionId?: string): Promise<StoredValue> => {
    const { secretId, jsonKey } = parseReference(reference);
    const stored = await read(secretId, versionId);
    return jsonKey === null ? stored : { value: selectJsonKey(secretId, stored.value, jsonKey), versionId: stored.versionId };
  };

  const store: SecretStore = {
    role: 'secret-store',
    kind,
    maxValueBytes: MAX_VALUE_BYTES,
    checkName,
    locate: (name) => config.namePrefix + name,

    keepsVersions: true,

    async exists(name) {
      try {
        // DescribeSecret also finds a secret scheduled for deletion, whose name cannot be reused.
        await call(`looking up ${config.namePrefix + name}`, () => client.send(new DescribeSecretCommand({ SecretId: config.namePrefix + name })));
        return true;
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'NOT_FOUND') return false;
        throw error;
      }
    },

    async put(name, value, mode) {
      const refused = checkName(name);
      if (refused) throw new ProviderError('INVALID', refused);
      const size = Buffer.byteLength(value, 'utf8');
      if (size > MAX_VALUE_BYTES) throw new ProviderError('INVALID', `The value has ${size} bytes; AWS Secrets Manager holds at most ${MAX_VALUE_BYTES}.`);
      const secretId = config.namePrefix + name;
      // One token for every attempt: AWS treats a repeated token with the same value as the same write, so a retry after a lost response never adds a second version.
      const token = randomUUID();
      const result = await call(`writing ${secretId}`, async () => {
        try {
          return await client.send(new CreateSecretCommand({ Name: secretId, SecretString: value, ClientRequestToken: token, Description: 'Managed by Strongroom' }));
        } catch (error) {
          if ((error as { name?: string }).name !== 'ResourceExistsException') throw error;
          // CreateSecret is atomic: a new secret never lands on one someone else made.
          if (mode === 'create') throw new ProviderError('EXISTS', `${secretId} already exists in AWS Secrets Manager, and Strongroom did not write it.`);
          return client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value, ClientRequestToken: token }));
        }
      });
      return { reference: secretId, versionId: result.VersionId ?? token };
    },

    get: (reference, versionId) => readParsed(reference, versionId),

    async delete(reference, own): Promise<RemoteDeletion> {
      if (!reference.startsWith(config.namePrefix) || SECRET_ARN.test(reference)) {
        throw new ProviderError('INVALID', `Refusing to delete ${reference}: Strongroom deletes only secrets it created under "${config.namePrefix}".`);
      }
      let described;
      try {
        described = await call(`looking up ${reference}`, () => client.send(new DescribeSecretCommand({ SecretId: reference })));
      } catch (error) {
        // Already gone is what the caller wanted.
        if (error instanceof ProviderError && error.code === 'NOT_FOUND') return { removed: 'nothing', detail: `${reference} was already gone from AWS Secrets Manager.` };
        throw error;
      }
      if (described.DeletedDate) return { removed: 'nothing', detail: `${reference} was already scheduled for deletion in AWS Secrets Manager.` };
      // AWS deletes whole secrets only: one holding a version someone else wrote stays.
      const mine = new Set(own.versions);
      const foreign = Object.keys(described.VersionIdsToStages ?? {}).filter((version) => !mine.has(version));
      if (foreign.length > 0 || !own.created) {
        const why = own.created ? `it holds ${foreign.length} version(s) Strongroom did not write` : 'Strongroom adopted it rather than creating it';
        return { removed: 'nothing', detail: `${reference} kept in AWS Secrets Manager: ${why}.` };
      }
      await call(`deleting ${reference}`, () => client.send(new DeleteSecretCommand({ SecretId: reference, RecoveryWindowInDays: config.recoveryWindowDays })));
      return { removed: 'secret', detail: `${reference} scheduled for deletion in AWS Secrets Manager (recoverable for ${config.recoveryWindowDays} days).` };
    },

    readReference: (reference) => readParsed(reference),

    test: async (): Promise<ProviderTestResult> =>
      runChecks(source, config, async (check, facts) => {
        await check('list secrets under the prefix', null, async () => {
          const result = await call(`listing secrets under ${config.namePrefix}`, () =>
            client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [config.namePrefix] }], MaxResults: 100 })),
          );
          const count = result.SecretList?.length ?? 0;
          facts.secretsUnderPrefix = result.NextToken ? `${count}+` : count;
          return `${facts.secretsUnderPrefix} secret(s) named ${config.namePrefix}…`;
        });
      }),
  };
  return store;
}
