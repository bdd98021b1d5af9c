/**
 * AWS KMS as a key manager: Encrypt wraps key material under the configured
 * key with the context as EncryptionContext, and Decrypt unwraps it under the
 * same context, so a ciphertext made for another context is refused.
 *
 * The key version recorded per wrap is `<key ARN>#<key material id>`: the ARN
 * KMS answers Encrypt with (an alias resolves to the key it points at when the
 * wrap happens) and the key material the ciphertext is bound to. Encrypt does
 * not name the material, so each wrap is decrypted once at once: Decrypt names
 * it (KeyMaterialId, as ListKeyRotations lists it), and the wrap is proven to
 * unwrap before anything relies on it (credentials allowed only to encrypt
 * record the ARN alone). Wraps are of intermediate keys only,
 * one per thousand secrets, so the second call costs nothing noticeable.
 * After on-demand rotation (RotateKeyOnDemand) new wraps use the new material
 * while older materials still decrypt; `manager rewrap` moves every wrap onto
 * the current material, and the recorded versions say which are still needed.
 */
import { randomBytes } from 'node:crypto';
import { configPatterns } from '../../src-shared/manager-configs/config-rules.js';
import * as awsKmsConfig from '../../src-shared/manager-configs/aws-kms.js';
import type { AwsKmsConfig } from '../../src-shared/manager-configs/aws-kms.js';
export type { AwsKmsConfig } from '../../src-shared/manager-configs/aws-kms.js';
import { withParsedCaCertificate } from './pem-certificate.js';
import type * as KmsSdk from '@aws-sdk/client-kms';
import { lazyPackage } from '../lazy-package.js';
import { ProviderError, type KeyManager, type ProviderTestResult } from './provider.js';
import { awsCall, clientSettings, credentialSource, trimPerRequestWork, runChecks, serviceEndpoint, type ProviderOptions } from './aws-common.js';

export const kind = 'aws-kms';
const kmsSdk = lazyPackage<typeof KmsSdk>('@aws-sdk/client-kms');

const keyArnPattern = configPatterns.awsKeyArn;

/** The shared schema (src-shared/manager-configs/aws-kms.ts), with the CA parsed as X.509. */
export const configSchema = withParsedCaCertificate(awsKmsConfig.configSchema);

/** KMS refuses Encrypt plaintexts over 4 KiB; data and intermediate keys are 32 bytes. */
const MAX_PLAINTEXT_BYTES = 4096;

export function create(input: AwsKmsConfig, options: ProviderOptions = {}): KeyManager {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ProviderError('INVALID', `Invalid AWS KMS configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  const endpoint = serviceEndpoint(config, 'kms');
  const source = credentialSource(config, options);
  const { DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient } = kmsSdk();
  const client = new KMSClient({ ...clientSettings(config, 'kms', options), credentials: source.provider });
  trimPerRequestWork(client);
  const call = <T>(what: string, run: () => Promise<T>) => awsCall(endpoint, what, options, run);
  const isAlias = keyArnPattern.exec(config.keyArn)?.[3]?.startsWith('alias/') === true;

  const wrapKey: KeyManager['wrapKey'] = async (plaintextKey, context) => {
    if (plaintextKey.length === 0 || plaintextKey.length > MAX_PLAINTEXT_BYTES) {
      throw new ProviderError('INVALID', `AWS KMS wraps 1 to ${MAX_PLAINTEXT_BYTES} bytes; got ${plaintextKey.length}.`);
    }
    const result = await call(`encrypting with ${config.keyArn}`, () =>
      client.send(new EncryptCommand({ KeyId: config.keyArn, Plaintext: plaintextKey, EncryptionContext: context })),
    );
    if (!result.CiphertextBlob || !result.KeyId) throw new ProviderError('PROVIDER_ERROR', 'AWS KMS Encrypt returned no ciphertext.');
    const wrapped = Buffer.from(result.CiphertextBlob);
    let opened: Awaited<ReturnType<typeof decrypt>>;
    try {
      opened = await decrypt(wrapped, context);
    } catch (error) {
      // Credentials that may only encrypt still wrap; the material is then unknown and the ARN alone is recorded.
      if (error instanceof ProviderError && error.code === 'PERMISSION_DENIED') return { wrapped, keyVersion: result.KeyId };
      throw error;
    }
    try {
      if (!opened.plaintext.equals(plaintextKey)) throw new ProviderError('PROVIDER_ERROR', 'AWS KMS decrypted a fresh wrap to other bytes than were encrypted.');
    } finally {
      opened.plaintext.fill(0);
    }
    return { wrapped, keyVersion: opened.keyMaterialId ? `${result.KeyId}#${opened.keyMaterialId}` : result.KeyId };
  };

  // Naming the key on Decrypt refuses ciphertexts of any other key. An alias is left out: it may point at
  // another key by now, and KMS finds the key that wrapped a ciphertext from the ciphertext itself.
  const decryptKeyId = isAlias ? undefined : config.keyArn;

  const decrypt = async (wrapped: Buffer, context: Record<string, string>) => {
    const result = await call(`decrypting with ${config.keyArn}`, () =>
      client.send(new DecryptCommand({ KeyId: decryptKeyId, CiphertextBlob: wrapped, EncryptionContext: context })),
    );
    if (!result.Plaintext) throw new ProviderError('PROVIDER_ERROR', 'AWS KMS Decrypt returned no plaintext.');
    return { plaintext: Buffer.from(result.Plaintext.buffer, result.Plaintext.byteOffset, result.Plaintext.byteLength), keyMaterialId: result.KeyMaterialId };
  };

  const unwrapKey: KeyManager['unwrapKey'] = async (wrapped, context) => (await decrypt(wrapped, context)).plaintext;

  const test = async (): Promise<ProviderTestResult> =>
    runChecks(source, config, async (check, facts, warnings) => {
      await check('describe key', 'kms:DescribeKey', async () => {
        const { KeyMetadata: key } = await call(`describing ${config.keyArn}`, () => client.send(new DescribeKeyCommand({ KeyId: config.keyArn })));
        facts.keyArn = key?.Arn ?? null;
        facts.keyState = key?.KeyState ?? null;
        facts.keySpec = key?.KeySpec ?? null;
        facts.keyMaterialId = key?.CurrentKeyMaterialId ?? null;
        if (key?.KeyState === 'PendingDeletion') warnings.push(`The key is scheduled for deletion on ${key.DeletionDate?.toISOString() ?? 'an unknown date'}: secrets under it will be lost.`);
        if (key?.KeyState !== 'Enabled') throw new ProviderError('CONFLICT', `The key is ${key?.KeyState ?? 'in an unknown state'}, not Enabled.`);
        if (key.KeyUsage !== 'ENCRYPT_DECRYPT' || key.KeySpec !== 'SYMMETRIC_DEFAULT') {
          throw new ProviderError('INVALID', `The key is ${key.KeySpec} for ${key.KeyUsage}; Strongroom needs a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT.`);
        }
        return `${key.KeyState}, ${key.KeySpec}`;
      });
      await check('encrypt/decrypt probe', null, async () => {
        const probe = randomBytes(32);
        const context = { purpose: 'strongroom-connection-test' };
        const { wrapped, keyVersion } = await wrapKey(probe, context);
        const back = await unwrapKey(wrapped, context);
        if (!back.equals(probe)) throw new ProviderError('PROVIDER_ERROR', 'Decrypt returned different bytes than were encrypted.');
        facts.keyVersion = keyVersion;
        return `round trip through ${keyVersion}`;
      });
    });

  return { role: 'key-manager', kind, wrapKey, unwrapKey, test };
}
