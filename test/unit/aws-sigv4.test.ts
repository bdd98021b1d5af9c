/**
 * The AWS emulator's SigV4 check, driven by requests signed with the same
 * signer the SDK uses: it must reject what AWS rejects, or the providers'
 * AUTH_FAILED paths prove nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { startAwsEmulator, type AwsCredentials, type AwsEmulator } from '../emulators/aws-emulator.js';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import * as awsKms from '../../src-delegate/providers/aws-kms.js';
import { ProviderError } from '../../src-delegate/providers/provider.js';

let emulator: AwsEmulator;

beforeAll(async () => {
  emulator = await startAwsEmulator();
});

afterAll(async () => {
  await emulator?.close();
});

interface SignedCall {
  credentials?: AwsCredentials;
  signingDate?: Date;
  region?: string;
  service?: string;
  body?: string;
  /** Changes the request after it was signed. */
  tamper?: (request: { headers: Record<string, string>; body: string }) => void;
}

async function describeKey({ credentials = emulator.credentials, signingDate, region = emulator.region, service = 'kms', body, tamper }: SignedCall = {}) {
  const url = new URL(emulator.endpoint);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' } as Record<string, string>,
    body: body ?? JSON.stringify({ KeyId: emulator.keyArn }),
  };
  const signed = await signer.sign(request, signingDate ? { signingDate } : {});
  const sent = { headers: { ...(signed.headers as Record<string, string>) }, body: signed.body as string };
  tamper?.(sent);
  delete sent.headers.host;
  const response = await fetch(emulator.endpoint, { method: 'POST', headers: sent.headers, body: sent.body });
  return { status: response.status, body: (await response.json()) as { __type?: string; message?: string; KeyMetadata?: unknown } };
}

describe('AWS emulator SigV4 verification', () => {
  it('accepts a correctly signed request', async () => {
    const { status, body } = await describeKey();
    expect(status).toBe(200);
    expect(body.KeyMetadata).toMatchObject({ Arn: emulator.keyArn, KeyState: 'Enabled' });
  });

  it('rejects a wrong secret key with InvalidSignatureException', async () => {
    const { status, body } = await describeKey({ credentials: { ...emulator.credentials, secretAccessKey: randomBytes(30).toString('base64') } });
    expect(status).toBe(400);
    expect(body.__type).toBe('InvalidSignatureException');
  });

  it('rejects an unknown access key id with UnrecognizedClientException', async () => {
    const { body } = await describeKey({ credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) } });
    expect(body.__type).toBe('UnrecognizedClientException');
    expect(body.message).toBe('The security token included in the request is invalid.');
  });

  it('rejects a signature more than five minutes old or ahead', async () => {
    const past = await describeKey({ signingDate: new Date(Date.now() - 6 * 60_000) });
    expect(past.body.__type).toBe('InvalidSignatureException');
    expect(past.body.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const future = await describeKey({ signingDate: new Date(Date.now() + 6 * 60_000) });
    expect(future.body.message).toMatch(/^Signature not yet current/);
    const within = await describeKey({ signingDate: new Date(Date.now() - 4 * 60_000) });
    expect(within.status).toBe(200);
  });

  it('rejects a body or a signed header changed after signing', async () => {
    const body = await describeKey({ tamper: (request) => (request.body = JSON.stringify({ KeyId: 'alias/other' })) });
    expect(body.body.__type).toBe('InvalidSignatureException');
    const header = await describeKey({ tamper: (request) => (request.headers['x-amz-target'] = 'TrentService.Encrypt') });
    expect(header.body.__type).toBe('InvalidSignatureException');
  });

  it('rejects a scope for another region or service', async () => {
    const region = await describeKey({ region: 'eu-west-1' });
    expect(region.body.message).toBe("Credential should be scoped to a valid region, not 'eu-west-1'.");
    const service = await describeKey({ service: 'secretsmanager' });
    expect(service.body.message).toBe("Credential should be scoped to correct service: 'kms'.");
  });

  it('requires the session token of temporary credentials', async () => {
    const caller = emulator.addUser(['sts:AssumeRole']);
    const roleArn = emulator.addRole({ name: 'sigv4-test', allow: ['kms:*'] });
    const sts = new STSClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: caller, maxAttempts: 1 });
    const { Credentials: issued } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sigv4-test', DurationSeconds: 900 }));
    const temporary = { accessKeyId: issued!.AccessKeyId!, secretAccessKey: issued!.SecretAccessKey!, sessionToken: issued!.SessionToken! };
    expect((await describeKey({ credentials: temporary })).status).toBe(200);
    const withoutToken = await describeKey({ credentials: { accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey } });
    expect(withoutToken.body.__type).toBe('UnrecognizedClientException');
  });
});

describe('clock skew through the SDK', () => {
  it('succeeds after the SDK re-bases its clock on the server Date, in one retry', async () => {
    const skewed = await startAwsEmulator({ clockOffsetMs: 10 * 60_000 });
    try {
      const config = { region: skewed.region, endpoint: skewed.endpoint, credentials: skewed.credentials, keyArn: skewed.keyArn };
      const provider = awsKms.create(config, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      await provider.wrapKey(randomBytes(32), {});
      expect(skewed.calls.count('kms:Encrypt')).toBe(2);

      const once = awsKms.create(config, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
      const error = await once.wrapKey(randomBytes(32), {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe('AUTH_FAILED');
      expect((error as ProviderError).message).toMatch(/clock differs from AWS by more than 5 minutes/);
    } finally {
      await skewed.close();
    }
  });
});
