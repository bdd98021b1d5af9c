/**
 * Every provider against its emulator, through the one conformance suite.
 * Providers are the real modules with the real SDKs; only the endpoint is local.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeProviderConformance, conformanceRetry, type ConformanceFaults } from './provider-conformance-suite.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import * as awsKms from '../../src-delegate/providers/aws-kms.js';
import * as awsSecretsManager from '../../src-delegate/providers/aws-secrets-manager.js';
import * as gcpKms from '../../src-delegate/providers/gcp-kms.js';
import { rotateAwsKey, rotateGcpKey } from '../fixtures/kms-rotation.js';

const options = { retry: conformanceRetry };

function awsFaults(emulator: AwsEmulator, service: 'kms' | 'secretsmanager'): ConformanceFaults {
  // Faults and counts cover the provider's own service: STS calls of assume-role are not part of the retry budget under test.
  const operations =
    service === 'kms'
      ? ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']
      : ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue', 'secretsmanager:DeleteSecret', 'secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret'];
  return {
    throttleNext: (count) => emulator.setFaults({ throttle: { next: count }, operations }),
    serverErrorNext: (count) => emulator.setFaults({ serverError: { next: count }, operations }),
    clear: () => emulator.setFaults({}),
    calls: () => emulator.calls.count(`${service}:*`),
  };
}

function gcpFaults(emulator: GcpKmsEmulator): ConformanceFaults {
  return {
    throttleNext: (count) => emulator.setFaults({ throttle: { next: count } }),
    serverErrorNext: (count) => emulator.setFaults({ serverError: { next: count, status: 503 } }),
    clear: () => emulator.setFaults({}),
    calls: () => emulator.calls.count(),
  };
}

function awsConnection(emulator: AwsEmulator) {
  return { region: emulator.region, endpoint: emulator.endpoint, credentials: emulator.credentials };
}

const wrongSecret = (emulator: AwsEmulator) => ({ ...emulator.credentials, secretAccessKey: randomBytes(30).toString('base64') });

describeProviderConformance('aws-kms', async (defer) => {
  const emulator = await startAwsEmulator();
  defer(() => emulator.close());
  const connection = awsConnection(emulator);
  return {
    role: 'key-manager',
    provider: awsKms.create({ ...connection, keyArn: emulator.keyArn }, options),
    wrongCredentials: awsKms.create({ ...connection, credentials: wrongSecret(emulator), keyArn: emulator.keyArn }, options),
    missingKey: awsKms.create({ ...connection, keyArn: `arn:aws:kms:${emulator.region}:${emulator.accountId}:key/${randomUUID()}` }, options),
    faults: awsFaults(emulator, 'kms'),
    rotateKey: () => rotateAwsKey(emulator),
  };
});

describeProviderConformance('aws-kms (assume role)', async (defer) => {
  const emulator = await startAwsEmulator();
  defer(() => emulator.close());
  const caller = emulator.addUser(['sts:AssumeRole'], 'strongroom-caller');
  const roleArn = emulator.addRole({ name: 'strongroom-kms', allow: ['kms:*'], externalId: 'strongroom-ext', trustedAccessKeyIds: [caller.accessKeyId] });
  const config = {
    region: emulator.region,
    endpoint: emulator.endpoint,
    stsEndpoint: emulator.endpoint,
    credentials: caller,
    assumeRole: { roleArn, externalId: 'strongroom-ext', durationSeconds: 900 },
    keyArn: emulator.keyArn,
  };
  return {
    role: 'key-manager',
    provider: awsKms.create(config, options),
    wrongCredentials: awsKms.create({ ...config, credentials: { ...caller, secretAccessKey: randomBytes(30).toString('base64') } }, options),
    missingKey: awsKms.create({ ...config, keyArn: `arn:aws:kms:${emulator.region}:${emulator.accountId}:key/${randomUUID()}` }, options),
    faults: awsFaults(emulator, 'kms'),
    rotateKey: () => rotateAwsKey(emulator),
  };
});

describeProviderConformance('aws-secrets-manager', async (defer) => {
  const emulator = await startAwsEmulator();
  defer(() => emulator.close());
  const connection = awsConnection(emulator);
  const prefix = 'strongroom/conformance/';
  // A copy: the SDK tags the credentials object it is given ($source), which a strict config schema then refuses.
  const admin = new SecretsManagerClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { ...emulator.credentials }, maxAttempts: 1 });
  defer(() => admin.destroy());
  return {
    role: 'secret-store',
    provider: awsSecretsManager.create({ ...connection, namePrefix: prefix }, options),
    wrongCredentials: awsSecretsManager.create({ ...connection, credentials: wrongSecret(emulator), namePrefix: prefix }, options),
    faults: awsFaults(emulator, 'secretsmanager'),
    invalidNames: ['', 'has space', 'semi;colon', 'ümlaut', 'x'.repeat(512 - prefix.length + 1)],
    missingReference: `${prefix}missing-${randomBytes(4).toString('hex')}`,
    missingVersionId: randomUUID(),
    async seedReference() {
      const name = `team/db-${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('base64');
      await admin.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'app', password }) }));
      return { reference: `${name}#password`, value: password };
    },
    writeCalls: () => ['CreateSecret', 'PutSecretValue', 'DeleteSecret'].reduce((sum, op) => sum + emulator.calls.count(`secretsmanager:${op}`), 0),
    async writeOutside(name, value) {
      try {
        await admin.send(new CreateSecretCommand({ Name: prefix + name, SecretString: value }));
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceExistsException') throw error;
        await admin.send(new PutSecretValueCommand({ SecretId: prefix + name, SecretString: value }));
      }
    },
  };
});

function gcpConfig(emulator: GcpKmsEmulator) {
  return { projectId: emulator.projectId, location: emulator.location, keyRing: emulator.keyRing, keyName: emulator.keyName, endpoint: emulator.endpoint };
}

describeProviderConformance('gcp-kms (service account)', async (defer) => {
  const emulator = await startGcpKmsEmulator();
  defer(() => emulator.close());
  const config = { ...gcpConfig(emulator), serviceAccount: emulator.serviceAccount };
  // Same account and key id, another private key: the self-signed JWT's signature cannot verify.
  const forged = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    role: 'key-manager',
    provider: gcpKms.create(config, options),
    wrongCredentials: gcpKms.create({ ...config, serviceAccount: { ...emulator.serviceAccount, private_key: forged } }, options),
    missingKey: gcpKms.create({ ...config, keyName: 'missing' }, options),
    faults: gcpFaults(emulator),
    rotateKey: () => rotateGcpKey(emulator),
  };
});

describeProviderConformance('gcp-kms (access token)', async (defer) => {
  const emulator = await startGcpKmsEmulator();
  defer(() => emulator.close());
  const config = { ...gcpConfig(emulator), accessToken: emulator.accessToken };
  return {
    role: 'key-manager',
    provider: gcpKms.create(config, options),
    wrongCredentials: gcpKms.create({ ...config, accessToken: `ya29.${randomBytes(24).toString('base64url')}` }, options),
    missingKey: gcpKms.create({ ...config, keyName: 'missing' }, options),
    faults: gcpFaults(emulator),
    rotateKey: () => rotateGcpKey(emulator),
  };
});
