/**
 * The delegate's manager registry without a delegate: the example
 * configurations in docs/examples are valid for their kind and their secret
 * fields never reach the public configuration; an edit keeps a stored secret
 * only for the same identity.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepStoredSecrets, kinds, publicConfig, secretValues } from '../../src-delegate/managers/registry.js';
import type { ProviderKind } from '../../src-shared/delegate-protocol.js';
import { REPO_ROOT } from '../support/core-harness.js';

const examples = join(REPO_ROOT, 'docs', 'examples');
const kindOf = (file: string): ProviderKind => {
  const match = (Object.keys(kinds) as ProviderKind[]).sort((a, b) => b.length - a.length).find((kind) => file.startsWith(`manager-${kind}`));
  if (!match) throw new Error(`${file} names no kind`);
  return match;
};

describe('docs/examples', () => {
  const files = readdirSync(examples).filter((file) => file.startsWith('manager-') && file.endsWith('.json'));

  it('has an example for every kind', () => {
    expect(new Set(files.map(kindOf))).toEqual(new Set(Object.keys(kinds)));
  });

  it.each(files)('%s is valid, and its public part holds no secret', (file) => {
    const kind = kindOf(file);
    const config = JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;
    const parsed = kinds[kind].configSchema.safeParse(config);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const secrets = secretValues(kind, config);
    expect(secrets.length).toBeGreaterThan(0);
    const shown = JSON.stringify(publicConfig(kind, parsed.data));
    for (const secret of secrets) expect(shown).not.toContain(secret);
  });
});

describe('editing a configuration', () => {
  it('keeps a stored secret left out, for the same identity only', () => {
    const token = { auth: { method: 'token', token: 'hvs.stored' } };
    expect(keepStoredSecrets('vault', token, { auth: { method: 'token' }, basePath: 'x' })).toEqual({ auth: { method: 'token', token: 'hvs.stored' }, basePath: 'x' });
    expect(keepStoredSecrets('vault', token, { auth: { method: 'token', token: 'hvs.new' } })).toEqual({ auth: { method: 'token', token: 'hvs.new' } });
    // Another auth method, another role: nothing carries over.
    expect(keepStoredSecrets('vault', token, { auth: { method: 'approle', roleId: 'r' } })).toEqual({ auth: { method: 'approle', roleId: 'r' } });
    const approle = { auth: { method: 'approle', roleId: 'r1', secretId: 's1' } };
    expect(keepStoredSecrets('vault', approle, { auth: { method: 'approle', roleId: 'r2' } })).toEqual({ auth: { method: 'approle', roleId: 'r2' } });

    const aws = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIAOLD', secretAccessKey: 'old-secret' } };
    expect(keepStoredSecrets('aws-kms', aws, { region: 'eu-west-1', credentials: { accessKeyId: 'AKIAOLD' } })).toMatchObject({ credentials: { secretAccessKey: 'old-secret' } });
    expect(keepStoredSecrets('aws-kms', aws, { region: 'eu-west-1', credentials: { accessKeyId: 'AKIANEW' } })).toEqual({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIANEW' } });

    const azure = { tenantId: 't', clientId: 'c', clientSecret: 'stored' };
    expect(keepStoredSecrets('azure-key-vault', azure, { tenantId: 't', clientId: 'c', vaultName: 'v2' })).toMatchObject({ clientSecret: 'stored' });
    expect(keepStoredSecrets('azure-key-vault', azure, { tenantId: 't', clientId: 'other' })).not.toHaveProperty('clientSecret');

    const gcp = { accessToken: 'ya29.stored' };
    expect(keepStoredSecrets('gcp-kms', gcp, { projectId: 'p' })).toMatchObject({ accessToken: 'ya29.stored' });
    expect(keepStoredSecrets('gcp-kms', gcp, { serviceAccount: { client_email: 'a@b.c' } })).not.toHaveProperty('accessToken');
  });
});
