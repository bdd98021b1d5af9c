// Vault provider rules that need no server: configuration, names, references
// and path encoding.
import { describe, expect, it } from 'vitest';
import { checkName, configSchema, parseReference } from '../../src-delegate/providers/vault.js';
import { encodePath } from '../../src-delegate/providers/vault-client.js';

const base = { url: 'https://vault.example:8200', auth: { method: 'token', token: 'hvs.x' }, engine: { mount: 'secret', version: 2 } };

describe('configuration', () => {
  it('fills defaults and trims slashes from paths', () => {
    const config = configSchema.parse({ ...base, basePath: '/teams/ops/', namespace: '/admin/team-a/' });
    expect(config).toMatchObject({ basePath: 'teams/ops', namespace: 'admin/team-a', renewalIntervalSeconds: 900, readOnly: false });
    const approle = configSchema.parse({ ...base, auth: { method: 'approle', roleId: 'r', secretId: 's' } });
    expect(approle.auth).toEqual({ method: 'approle', roleId: 'r', secretId: 's', mountPath: 'approle' });
  });

  it('refuses paths Vault would clean into other paths, unknown fields and other KV versions', () => {
    expect(configSchema.safeParse({ ...base, basePath: 'a/../b' }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, basePath: 'a//b' }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, engine: { mount: 'secret', version: 3 } }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, readonly: true }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, auth: { method: 'kubernetes', role: 'x' } }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, url: 'ftp://vault.example' }).success).toBe(false);
  });
});

describe('names', () => {
  it('allows letters, digits, dot, dash and underscore', () => {
    expect(checkName('db_password-2.old')).toBeNull();
    expect(checkName('nested/name')).toMatch(/would nest/);
    expect(checkName('hash#name')).not.toBeNull();
    expect(checkName('..')).not.toBeNull();
    expect(checkName('x'.repeat(256))).toMatch(/at most 255/);
  });
});

describe('references', () => {
  it('splits path#key at the last #, relative to the mount', () => {
    expect(parseReference('/apps/db/#password')).toEqual({ path: 'apps/db', key: 'password' });
    expect(parseReference('apps/odd#path#key')).toEqual({ path: 'apps/odd#path', key: 'key' });
  });

  it('refuses references without a key or with dot segments', () => {
    expect(() => parseReference('apps/db')).toThrow(/path#key/);
    expect(() => parseReference('apps/db#')).toThrow(/path#key/);
    expect(() => parseReference('apps/../db#key')).toThrow(/segment/);
  });
});

describe('path encoding', () => {
  it('encodes each segment and drops empty ones', () => {
    expect(encodePath('secret', 'data', '/apps/my db/', 'key?x')).toBe('secret/data/apps/my%20db/key%3Fx');
  });
});
