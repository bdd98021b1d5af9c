/**
 * The manager kind descriptions (src-shared/manager-kinds.ts) against what
 * the delegate's providers enforce: the same value limits and name rules, and
 * a name rule's fit always yields a name the rule (and the provider) accepts.
 */
import { describe, expect, it } from 'vitest';
import { configSummary, externalManagerKinds, kindLabels, kindsWhere, managerKindSpecs, managerKinds } from '../../src-shared/manager-kinds.js';
import { kinds, kindsWithoutProvider } from '../../src-delegate/managers/registry.js';
import * as awsSecretsManager from '../../src-delegate/providers/aws-secrets-manager.js';
import * as azureKeyVault from '../../src-delegate/providers/azure-key-vault.js';
import * as vault from '../../src-delegate/providers/vault.js';

const awkwardNames = ['db password', 'prod/billing#key', 'ÄÖÜ-name', '.', '..', 'a'.repeat(600), '', 'UPPER_lower.1-2', 'x@y+z=w'];

describe('manager kind descriptions', () => {
  it('describe every kind the delegate opens, and only those, the built-in store first', () => {
    expect(managerKinds[0]).toBe('local');
    // The delegate's startup check: a described kind without a provider is named (test/integration/kind-without-provider.test.ts).
    expect(kindsWithoutProvider()).toEqual([]);
    expect([...externalManagerKinds].sort()).toEqual(Object.keys(kinds).sort());
  });

  it('state the value limits the providers enforce', () => {
    expect(managerKindSpecs['aws-secrets-manager'].maxValueBytes).toBe(awsSecretsManager.MAX_VALUE_BYTES);
    expect(managerKindSpecs['azure-key-vault'].maxValueBytes).toBe(azureKeyVault.MAX_VALUE_BYTES);
    expect(managerKindSpecs.vault.maxValueBytes).toBe(vault.MAX_VALUE_BYTES);
    expect(managerKindSpecs['aws-kms'].wrapLimitBytes).toBe(4096);
    expect(managerKindSpecs['gcp-kms'].wrapLimitBytes).toBe(64 * 1024);
  });

  it.each(['azure-key-vault', 'vault'] as const)('%s: a fitted name matches the rule and the provider accepts it', (kind) => {
    const rule = managerKindSpecs[kind].nameRule({})!;
    const check = kind === 'vault' ? vault.checkName : azureKeyVault.checkName;
    for (const name of awkwardNames) {
      const fitted = rule.fit(name);
      expect(fitted).toMatch(rule.pattern);
      expect(fitted.length).toBeLessThanOrEqual(rule.maxLength);
      expect(check(fitted)).toBeNull();
      if (rule.pattern.test(name) && name.length <= rule.maxLength) expect(fitted).toBe(name);
    }
  });

  it('aws-secrets-manager: the name prefix counts towards the length', () => {
    const rule = managerKindSpecs['aws-secrets-manager'].nameRule({ namePrefix: 'strongroom/' })!;
    expect(rule.maxLength).toBe(512 - 'strongroom/'.length);
    expect(rule.fit('a b'.repeat(300))).toMatch(rule.pattern);
  });

  it('keeps versions except where the store cannot: Vault KV v1', () => {
    expect(managerKindSpecs.vault.keepsVersions({ engine: { mount: 'kv', version: 1 } })).toBe(false);
    expect(managerKindSpecs.vault.keepsVersions({ engine: { mount: 'secret', version: 2 } })).toBe(true);
    expect(managerKindSpecs['aws-secrets-manager'].keepsVersions({})).toBe(true);
    expect(managerKindSpecs['azure-key-vault'].keepsVersions({})).toBe(true);
  });

  it('name the kinds with a capability in prose, from their labels, for hints', () => {
    expect(kindLabels((spec) => spec.role === 'secret-store')).toBe('AWS Secrets Manager, Azure Key Vault or HashiCorp Vault');
    expect(kindLabels((spec) => spec.role === 'local')).toBe('Built-in store (offline)');
    expect(kindLabels(() => false)).toBe('');
  });

  it('answer capability questions as data', () => {
    expect(kindsWhere((spec) => spec.reference !== null).sort()).toEqual(['aws-secrets-manager', 'azure-key-vault', 'vault']);
    expect(kindsWhere((spec) => spec.fetchesOptions !== null).sort()).toEqual(['azure-key-vault', 'vault']);
    expect(kindsWhere((spec) => spec.signsSshCertificates)).toEqual(['vault']);
    expect(configSummary('vault', { url: 'https://v:8200', engine: { mount: 'secret', version: 2 } })).toBe('https://v:8200 · secret (KV v2)');
    expect(configSummary('unknown-kind', { url: 'x' })).toBe('');
  });
});
