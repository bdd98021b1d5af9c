// Azure Key Vault provider rules that need no server: configuration, names,
// references and how failures are classified.
import { describe, expect, it } from 'vitest';
import { checkName, configSchema, create, parseReference, toProviderError } from '../../src-delegate/providers/azure-key-vault.js';

const base = {
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '8c4ab166-85b2-4a09-8a90-33c6eb62daa5',
  clientSecret: 'secret',
  vaultName: 'strongroom-prod',
};

describe('configuration', () => {
  it('defaults to the global cloud and trims trailing slashes from overrides', () => {
    const config = configSchema.parse({ ...base, vaultUrl: 'https://127.0.0.1:8443/' });
    expect(config.environment).toBe('global');
    expect(config.vaultUrl).toBe('https://127.0.0.1:8443');
  });

  it('refuses plain HTTP, unknown fields, path-like tenants and malformed vault names', () => {
    expect(configSchema.safeParse({ ...base, authorityHost: 'http://login.example' }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, vaultURL: 'https://typo.example' }).success).toBe(false);
    expect(configSchema.safeParse({ ...base, tenantId: 'tenant/../other' }).success).toBe(false);
    for (const vaultName of ['ab', '1starts-with-digit', 'ends-with-dash-', 'double--dash', 'x'.repeat(25)]) {
      expect(configSchema.safeParse({ ...base, vaultName }).success, vaultName).toBe(false);
    }
  });

  it('accepts only a parseable PEM certificate as the private CA', () => {
    expect(configSchema.safeParse({ ...base, caCertificate: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----' }).success).toBe(false);
  });
});

describe('names', () => {
  it('allows letters, digits and dashes, 1 to 127 characters', () => {
    expect(checkName('db-Password-2')).toBeNull();
    expect(checkName('x'.repeat(127))).toBeNull();
    expect(checkName('')).toMatch(/required/);
    expect(checkName('x'.repeat(128))).toMatch(/at most 127/);
    expect(checkName('under_score')).toMatch(/letters, digits and dashes/);
  });
});

describe('references', () => {
  const vaultUrl = 'https://strongroom-prod.vault.azure.net';
  const version = '0123456789abcdef0123456789abcdef';

  it('reads name, name/version and a secret identifier URL of the same vault', () => {
    expect(parseReference('db-password', vaultUrl)).toEqual({ name: 'db-password', version: undefined });
    expect(parseReference(`db-password/${version}`, vaultUrl)).toEqual({ name: 'db-password', version });
    expect(parseReference(`${vaultUrl}/secrets/db-password/${version}`, vaultUrl)).toEqual({ name: 'db-password', version });
  });

  it('refuses another vault, extra segments and malformed versions', () => {
    expect(() => parseReference('https://other.vault.azure.net/secrets/db-password', vaultUrl)).toThrow(/not at this manager's vault/);
    expect(() => parseReference(`db-password/${version}/extra`, vaultUrl)).toThrow(/name or name\/version/);
    expect(() => parseReference('db-password/v1', vaultUrl)).toThrow(/32 hexadecimal/);
    expect(() => parseReference('bad_name', vaultUrl)).toThrow(/letters, digits and dashes/);
  });
});

describe('failure classification', () => {
  it('tells untrusted certificates and unreachable hosts apart, through wrapped causes', () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(toProviderError(new Error('request failed', { cause: tls }), 'read').code).toBe('TLS_UNTRUSTED');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toProviderError(refused, 'read').code).toBe('UNREACHABLE');
  });

  it('reads Retry-After as seconds or as a date', () => {
    const throttled = (retryAfter: string) => toProviderError({ statusCode: 429, message: 'slow down', response: { headers: { get: () => retryAfter } } }, 'read');
    expect(throttled('3').extra).toEqual({ retryable: true, retryAfterMs: 3000 });
    expect(throttled(new Date(Date.now() - 1000).toUTCString()).extra.retryAfterMs).toBe(0);
  });

  it('names the permission from an RBAC denial', () => {
    const denied = toProviderError(
      { statusCode: 403, message: "Caller is not authorized to perform action on resource.\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'" },
      'read',
    );
    expect(denied.code).toBe('PERMISSION_DENIED');
    expect(denied.extra.permission).toBe('Microsoft.KeyVault/vaults/secrets/getSecret/action');
  });

  it('marks 5xx as retryable and other answers as final', () => {
    expect(toProviderError({ statusCode: 503, message: 'busy' }, 'read').extra.retryable).toBe(true);
    expect(toProviderError({ statusCode: 400, message: 'bad' }, 'read').code).toBe('INVALID');
  });
});

describe('endpoint discipline', () => {
  it('refuses to start while MSAL would send sign-ins to a regional host or probe for the region', () => {
    process.env.AZURE_REGIONAL_AUTHORITY_NAME = 'AutoDiscoverRegion';
    try {
      expect(() => create(base)).toThrow(/AZURE_REGIONAL_AUTHORITY_NAME/);
    } finally {
      delete process.env.AZURE_REGIONAL_AUTHORITY_NAME;
    }
  });
});
