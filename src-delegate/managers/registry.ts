/**
 * The provider kinds as the delegate opens them: each kind's schema, its
 * factory, its role, and which configuration fields are secret. Secret fields
 * never leave the delegate; the rest is the manager's public configuration,
 * which main may store and show. The product kinds are the records below; a
 * test-only kind joins them through `registerProviderKind`.
 */
import type { z } from 'zod';
import type { DelegateResult, ProviderKind } from '../../src-shared/delegate-protocol.js';
import { externalManagerKinds, managerKindSpec, managerKindSpecs } from '../../src-shared/manager-kinds.js';
import type { KeyManager, SecretStore, TokenRenewalStatus } from '../providers/provider.js';
import * as awsKms from '../providers/aws-kms.js';
import * as awsSecretsManager from '../providers/aws-secrets-manager.js';
import * as azureKeyVault from '../providers/azure-key-vault.js';
import * as gcpKms from '../providers/gcp-kms.js';
import * as vault from '../providers/vault.js';

export interface ProviderHooks {
  /** Kinds that renew a token: every change of the renewal loop. */
  onRenewalStatus?: (status: TokenRenewalStatus) => void;
}

/** How the delegate opens a kind; its role and secret fields are in its description (src-shared/manager-kinds.ts). */
export interface KindSpec {
  configSchema: z.ZodType;
  create(config: unknown, hooks: ProviderHooks): KeyManager | SecretStore;
  /** Kinds whose description `fetchesOptions`: what a form's partial configuration can choose from (Vault's KV mounts, Azure's vaults). */
  fetchOptions?(config: Record<string, unknown>): Promise<DelegateResult<'manager.fetchOptions'>>;
}

export const kinds: Record<ProviderKind, KindSpec> = {
  'aws-kms': {
    configSchema: awsKms.configSchema,
    create: (config) => awsKms.create(config as awsKms.AwsKmsConfig),
  },
  'gcp-kms': {
    configSchema: gcpKms.configSchema,
    create: (config) => gcpKms.create(config as gcpKms.GcpKmsConfig),
  },
  'aws-secrets-manager': {
    configSchema: awsSecretsManager.configSchema,
    create: (config) => awsSecretsManager.create(config as awsSecretsManager.AwsSecretsManagerConfig),
  },
  'azure-key-vault': {
    configSchema: azureKeyVault.configSchema,
    create: (config) => azureKeyVault.create(config as azureKeyVault.AzureKeyVaultConfigInput),
    fetchOptions: async (config) => ({ kind: 'azure-key-vault', vaults: (await azureKeyVault.listVaults(azureConnection(config))).slice(0, 5000) }),
  },
  vault: {
    configSchema: vault.configSchema,
    create: (config, hooks) => vault.create(config as vault.VaultConfigInput, { onStatus: hooks.onRenewalStatus }),
    fetchOptions: async (config) => ({
      kind: 'vault',
      mounts: (await vault.listMounts(vaultConnection(config))).slice(0, 1000).map((mount) => ({ ...mount, description: mount.description.slice(0, 2000) })),
    }),
  },
};

/** A kind that is described but has no provider in this delegate (a description loaded without its provider). */
export class KindUnavailableError extends Error {}

/** How the delegate opens a kind; a described kind without a provider is a typed failure naming it, not a crash. */
export function providerOf(kind: ProviderKind): KindSpec {
  if (!Object.hasOwn(kinds, kind)) throw new KindUnavailableError(`Manager kind "${kind}" is described but this Strongroom has no provider for it, so its managers cannot be opened or configured.`);
  return kinds[kind];
}

/** The described external kinds with no provider registered: the delegate names them when it starts. */
export function kindsWithoutProvider(): string[] {
  return externalManagerKinds.filter((kind) => !Object.hasOwn(kinds, kind));
}

/** Any field whose name sounds secret is treated as secret too, whatever the kind says: a new field must not leak by default. */
const SECRET_NAME = /secret|token|password|passphrase|private_?key|credential_?key/i;

function isSecretPath(kind: ProviderKind, path: string[]): boolean {
  const dotted = path.join('.');
  if (managerKindSpecs[kind].secretFields.includes(dotted)) return true;
  const last = path[path.length - 1] ?? '';
  // Key ids and client ids name something; they are not secret.
  return SECRET_NAME.test(last) && !/(_id|Id)$/.test(last);
}

/** Every string value at a secret path, for the sanitizer. */
export function secretValues(kind: ProviderKind, config: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      if (isSecretPath(kind, path)) found.push(value);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) walk(child, [...path, key]);
    }
  };
  walk(config, []);
  return found;
}

const at = (config: Record<string, unknown>, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined), config);
const same = (...paths: string[]) => (previous: Record<string, unknown>, next: Record<string, unknown>) =>
  paths.every((path) => at(next, path) !== undefined && JSON.stringify(at(previous, path)) === JSON.stringify(at(next, path)));

/**
 * When an edited configuration may keep a stored secret it left out: only
 * while what the secret belongs to is unchanged (the same access key id, the
 * same client, the same auth method and role…). A secret never moves to
 * another identity.
 */
/** Per secret field (a dotted path), whether an edit of the configuration from `previous` to `next` may keep the stored value. */
export type KeepRules = Record<string, (previous: Record<string, unknown>, next: Record<string, unknown>) => boolean>;

const KEEP_WHEN: Record<ProviderKind, KeepRules> = {
  'aws-kms': { 'credentials.secretAccessKey': same('credentials.accessKeyId'), 'credentials.sessionToken': same('credentials.accessKeyId') },
  'aws-secrets-manager': { 'credentials.secretAccessKey': same('credentials.accessKeyId'), 'credentials.sessionToken': same('credentials.accessKeyId') },
  'gcp-kms': {
    'serviceAccount.private_key': same('serviceAccount.client_email'),
    accessToken: (_previous, next) => next.serviceAccount === undefined,
  },
  'azure-key-vault': { clientSecret: same('tenantId', 'clientId') },
  vault: { 'auth.token': same('auth.method'), 'auth.secretId': same('auth.method', 'auth.roleId') },
};

/**
 * Adds the provider of a kind described through `registerManagerKind` (a
 * test-only kind: docs/architecture.md, "Adding a manager kind"), after this
 * module has loaded. It takes a factory the caller has already imported: no
 * product code calls it, and nothing names a module to load, so no renderer,
 * main or configuration can add a provider to a delegate.
 */
export function registerProviderKind(kind: string, spec: KindSpec, keepWhen: KeepRules = {}): void {
  const description = managerKindSpec(kind);
  if (!description || description.role === 'local') throw new Error(`"${kind}" is not a described external manager kind: register its description first.`);
  if (Object.hasOwn(kinds, kind)) throw new Error(`A provider for "${kind}" is already registered.`);
  (kinds as Record<string, KindSpec>)[kind] = spec;
  (KEEP_WHEN as Record<string, KeepRules>)[kind] = keepWhen;
}

/**
 * An edited configuration may leave a secret field out to keep the stored
 * one (a form shows secret fields empty). Each secret field of the kind that
 * `next` lacks is taken from `previous`, where its parent object is there and
 * what the secret belongs to has not changed (KEEP_WHEN).
 */
export function keepStoredSecrets(kind: ProviderKind, previous: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const merged = structuredClone(next);
  for (const [dotted, keep] of Object.entries(KEEP_WHEN[kind])) {
    const path = dotted.split('.');
    const leaf = path[path.length - 1]!;
    const parentPath = path.slice(0, -1).join('.');
    const target = parentPath ? at(merged, parentPath) : merged;
    const stored = at(previous, dotted);
    if (!target || typeof target !== 'object' || Array.isArray(target) || typeof stored !== 'string') continue;
    const targetObject = target as Record<string, unknown>;
    if (targetObject[leaf] === undefined && keep(previous, next)) targetObject[leaf] = stored;
  }
  return merged;
}

/** The configuration without its secret fields. */
export function publicConfig(kind: ProviderKind, config: unknown): Record<string, unknown> {
  const strip = (value: unknown, path: string[]): unknown => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        if (isSecretPath(kind, [...path, key])) continue;
        out[key] = strip(child, [...path, key]);
      }
      return out;
    }
    return value;
  };
  return strip(config, []) as Record<string, unknown>;
}

/** Vault's connection fields, for listing mounts from a form's partial configuration. */
function vaultConnection(config: Record<string, unknown>): vault.VaultConnectionInput {
  return pick(config, ['url', 'namespace', 'auth', 'caCertificate']) as vault.VaultConnectionInput;
}

/** Azure's connection fields, for listing vaults from a form's partial configuration. */
function azureConnection(config: Record<string, unknown>): azureKeyVault.AzureConnectionInput {
  return pick(config, ['environment', 'tenantId', 'clientId', 'clientSecret', 'subscription', 'authorityHost', 'resourceManagerUrl', 'caCertificate']) as azureKeyVault.AzureConnectionInput;
}

function pick(config: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]));
}

