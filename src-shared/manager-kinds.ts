/**
 * Every kind of secret manager, described once: what it is (role, label,
 * hint), which of its configuration fields identify it and which are secret,
 * how it names an existing secret, and what it can do, as data. Main, the
 * delegate, the renderer and the CLI read these descriptions rather than
 * branching on a kind's name; adding a kind is one provider file in the
 * delegate and one entry here (docs/architecture.md, "Adding a manager kind").
 */
import { awsKmsFields, awsSecretsManagerFields, azureKeyVaultFields, gcpKmsFields, vaultFields, type ManagerFieldDef } from './manager-fields.js';

export type ManagerRole = 'local' | 'key-manager' | 'secret-store';

/** Which names a store accepts, and how to make any Strongroom name fit. */
export interface NameRule {
  pattern: RegExp;
  maxLength: number;
  /** The closest name that matches the rule. */
  fit(name: string): string;
  /** Whether two names that differ only in case are the same name in this store. */
  caseInsensitive: boolean;
}

/** A manager's non-secret configuration, as main stores it. */
export type PublicConfig = Record<string, unknown>;

export interface ManagerKindSpec {
  role: ManagerRole;
  label: string;
  /** One line for the add-manager form: where the values live. */
  hint: string;
  /**
   * Configuration fields that locate what the manager already holds (the key
   * that wrapped its intermediate keys, the store its values live in). They
   * may not change while it holds secrets.
   */
  identityFields: readonly string[];
  /** Dotted paths of the configuration's secret fields: they never leave the delegate. */
  secretFields: readonly string[];
  /** Its add-manager form, field by field (src-shared/manager-fields.ts); the built-in store has none. */
  fields: readonly ManagerFieldDef[];
  /** How the store names an existing secret; null when it takes no references. */
  reference: { syntax: string; hint: string } | null;
  /** What the detail view calls the place a value is kept in the store. */
  remoteNameLabel: string;
  /** The largest value (in UTF-8 bytes) it keeps. Key managers keep values here, so theirs is the built-in store's. */
  maxValueBytes: number;
  /** Key managers: the most plaintext one KMS call wraps (Strongroom sends it 32-byte intermediate keys only). */
  wrapLimitBytes: number | null;
  /** Null: any Strongroom name fits (the value is kept here). */
  nameRule(config: PublicConfig): NameRule | null;
  /** Whether an update keeps the older value as a version (Vault KV v1 does not). */
  keepsVersions(config: PublicConfig): boolean;
  /** `managers.fetchOptions` lists choices for its form (KV mounts, key vaults): how the form names them; null when it fetches none. */
  fetchesOptions: { noun: string; fetchLabel: string; listLabel: string; noneFound: string } | null;
  /** Its credentials are a token the delegate renews while the store is unlocked. */
  renewsToken: boolean;
  /** Its SSH engine signs certificates for the ssh-vault-certificate secret type. */
  signsSshCertificates: boolean;
  /** Its configuration carries a `readOnly` flag the provider itself enforces (every kind also honours main's flag). */
  supportsReadOnly: boolean;
  /**
   * Its key rotates into new versions while older wraps still need the old ones: `manager rewrap` moves every
   * wrapped intermediate key onto the current version, and health counts the secrets under each version in use.
   * `versionNoun` is what the provider calls a version. Null for kinds without such keys.
   */
  rewrapsKeys: { versionNoun: string } | null;
  /**
   * The provider's published default request quota, per second, for reading and for writing a value; null when
   * it publishes none (the built-in store, Vault, whose operator may set rate-limit quotas). A migration's token
   * buckets start from it (docs/migration.md).
   */
  requestQuota: { readsPerSecond: number; writesPerSecond: number } | null;
  /** The public configuration, shortened to what identifies the manager; `get` reads a dotted path as text ('' when absent). */
  summary(get: (path: string) => string): string[];
}

/** The built-in store and the KMS envelope keep values here, bounded by the largest secret Strongroom takes (a 10 MiB file, base64 in JSON). */
export const LOCAL_MAX_VALUE_BYTES = 16 * 1024 * 1024;

/** A name rule whose fit replaces every refused character with '-' and cuts to length. */
function nameRule(allowed: string, maxLength: number, caseInsensitive: boolean): NameRule {
  return {
    pattern: new RegExp(`^[${allowed}]+$`),
    maxLength,
    fit: (name) => name.replace(new RegExp(`[^${allowed}]`, 'g'), '-').slice(0, maxLength) || '-',
    caseInsensitive,
  };
}

const AWS_NAME_MAX_LENGTH = 512;

/** Vault path segments: '.' and '..' would leave the path, '/' would nest it, '#' ends it in a reference. */
const vaultNameRule: NameRule = (() => {
  const base = nameRule('A-Za-z0-9._-', 255, false);
  const dotsOnly = /^\.{1,2}$/;
  return {
    ...base,
    pattern: /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/,
    fit: (name) => {
      const fitted = base.fit(name);
      return dotsOnly.test(fitted) ? fitted.replace(/\./g, '-') : fitted;
    },
  };
})();
const keepsVersions = () => true;
const noNameRule = () => null;
const stringAt = (config: PublicConfig, key: string) => (typeof config[key] === 'string' ? (config[key] as string) : '');

const local = {
  role: 'local',
  label: 'Built-in store (offline)',
  hint: 'Values stay here, encrypted under the master passphrase',
  identityFields: [],
  secretFields: [],
  fields: [],
  reference: null,
  remoteNameLabel: 'Remote name',
  maxValueBytes: LOCAL_MAX_VALUE_BYTES,
  wrapLimitBytes: null,
  nameRule: noNameRule,
  keepsVersions,
  fetchesOptions: null,
  renewsToken: false,
  signsSshCertificates: false,
  supportsReadOnly: false,
  rewrapsKeys: null,
  requestQuota: null,
  summary: () => [],
} satisfies ManagerKindSpec;

const keyManager = { ...local, role: 'key-manager' } satisfies ManagerKindSpec;

/** Keys are the kinds' names; every value is checked as, and typed as, a ManagerKindSpec. */
function describeKinds<Kind extends string>(specs: Record<Kind, ManagerKindSpec>): Record<Kind, ManagerKindSpec> {
  return specs;
}

export const managerKindSpecs = describeKinds({
  local,
  'aws-kms': {
    ...keyManager,
    label: 'AWS KMS',
    hint: 'Key manager: values stay here, encrypted under keys that AWS KMS wraps',
    identityFields: ['region', 'keyArn'],
    secretFields: ['credentials.secretAccessKey', 'credentials.sessionToken'],
    fields: awsKmsFields,
    wrapLimitBytes: 4096,
    // RotateKeyOnDemand and yearly automatic rotation add key material; the ARN stays.
    rewrapsKeys: { versionNoun: 'key material' },
    // Encrypt and Decrypt share 5,500 requests per second in most regions.
    requestQuota: { readsPerSecond: 5_500, writesPerSecond: 5_500 },
    summary: (get) => [get('keyArn'), get('region')],
  },
  'gcp-kms': {
    ...keyManager,
    label: 'Google Cloud KMS',
    hint: 'Key manager: values stay here, encrypted under keys that Cloud KMS wraps',
    identityFields: ['projectId', 'location', 'keyRing', 'keyName'],
    secretFields: ['serviceAccount.private_key', 'accessToken'],
    fields: gcpKmsFields,
    wrapLimitBytes: 64 * 1024,
    rewrapsKeys: { versionNoun: 'key version' },
    // Cryptographic requests: 60,000 per minute per project.
    requestQuota: { readsPerSecond: 1_000, writesPerSecond: 1_000 },
    summary: (get) => [get('projectId'), get('location'), get('keyRing') && get('keyName') ? `${get('keyRing')}/${get('keyName')}` : ''],
  },
  'aws-secrets-manager': {
    ...local,
    role: 'secret-store',
    label: 'AWS Secrets Manager',
    hint: 'Secret store: values are kept in AWS under a name prefix',
    identityFields: ['region'],
    secretFields: ['credentials.secretAccessKey', 'credentials.sessionToken'],
    fields: awsSecretsManagerFields,
    reference: { syntax: 'name#jsonKey or ARN', hint: 'name#jsonKey or an ARN, e.g. prod/billing/db#password' },
    remoteNameLabel: 'Remote ARN or name',
    maxValueBytes: 64 * 1024,
    // GetSecretValue 10,000 per second; CreateSecret and PutSecretValue 50 per second.
    requestQuota: { readsPerSecond: 10_000, writesPerSecond: 50 },
    // The prefix counts towards AWS's 512 characters.
    nameRule: (config) => nameRule('A-Za-z0-9/_+=.@-', AWS_NAME_MAX_LENGTH - stringAt(config, 'namePrefix').length, false),
    summary: (get) => [get('namePrefix') && `${get('namePrefix')}*`, get('region')],
  },
  'azure-key-vault': {
    ...local,
    role: 'secret-store',
    label: 'Azure Key Vault',
    hint: 'Secret store: values are kept in one Azure key vault',
    identityFields: ['vaultName', 'vaultUrl', 'environment'],
    secretFields: ['clientSecret'],
    fields: azureKeyVaultFields,
    reference: { syntax: 'name[/version]', hint: 'name, or name/version for one version, e.g. billing-db-password' },
    maxValueBytes: 25 * 1024,
    // 4,000 secret transactions per 10 seconds per vault.
    requestQuota: { readsPerSecond: 400, writesPerSecond: 400 },
    nameRule: () => nameRule('0-9A-Za-z-', 127, true),
    fetchesOptions: { noun: 'vaults', fetchLabel: 'Fetch vaults', listLabel: 'Fetched vaults', noneFound: 'The subscription holds no key vaults these credentials can see.' },
    summary: (get) => [get('vaultName'), get('vaultUrl')],
  },
  vault: {
    ...local,
    role: 'secret-store',
    label: 'HashiCorp Vault',
    hint: 'Secret store: values are kept in a KV engine (v1 or v2)',
    identityFields: ['url', 'namespace', 'engine'],
    secretFields: ['auth.token', 'auth.secretId'],
    fields: vaultFields,
    reference: { syntax: 'path#key', hint: 'path#key, relative to the KV mount, e.g. apps/billing/db#password' },
    remoteNameLabel: 'Remote path',
    maxValueBytes: 512 * 1024,
    nameRule: () => vaultNameRule,
    // KV v1 keeps one value per path.
    keepsVersions: (config) => (config.engine as { version?: unknown } | undefined)?.version !== 1,
    fetchesOptions: { noun: 'KV mounts', fetchLabel: 'Fetch mounts', listLabel: 'Fetched KV mounts', noneFound: 'No KV mounts are visible to these credentials.' },
    renewsToken: true,
    signsSshCertificates: true,
    supportsReadOnly: true,
    summary: (get) => {
      const mount = get('engine.mount');
      const version = get('engine.version');
      return [get('url'), get('namespace') && `ns ${get('namespace')}`, mount && `${mount}${version ? ` (KV v${version})` : ''}`, get('basePath')];
    },
  },
});

export type ManagerKind = keyof typeof managerKindSpecs;
/** Every kind, the built-in store first. */
export const managerKinds = Object.keys(managerKindSpecs) as [ManagerKind, ...ManagerKind[]];
export type ExternalManagerKind = Exclude<ManagerKind, 'local'>;
/** The kinds a user can add (`local` is built in). */
export const externalManagerKinds = managerKinds.filter((kind): kind is ExternalManagerKind => managerKindSpecs[kind].role !== 'local') as [ExternalManagerKind, ...ExternalManagerKind[]];
/** The kinds whose form can fetch choices before the manager exists (`managers.fetchOptions`). */
export const optionFetchingKinds = externalManagerKinds.filter((kind) => managerKindSpecs[kind].fetchesOptions !== null) as [ExternalManagerKind, ...ExternalManagerKind[]];

/**
 * Describes one more kind, after this module has loaded: the hook through
 * which a test-only kind joins every list derived here (the recipe in
 * docs/architecture.md, followed in test/kinds/). Product kinds are entries
 * of the record above, where the compiler checks each one. Lists copied when
 * a module loads (the contract's zod enums) include a registered kind only
 * when it is registered before that module loads.
 */
export function registerManagerKind(kind: string, spec: ManagerKindSpec): void {
  if (Object.hasOwn(managerKindSpecs, kind)) throw new Error(`A manager kind "${kind}" is already described.`);
  (managerKindSpecs as Record<string, ManagerKindSpec>)[kind] = spec;
  (managerKinds as string[]).push(kind);
  if (spec.role !== 'local') (externalManagerKinds as string[]).push(kind);
  if (spec.fetchesOptions !== null) (optionFetchingKinds as string[]).push(kind);
}

/** The description of a kind by name; undefined for a name no kind has (a row written by a newer version). */
export function managerKindSpec(kind: string): ManagerKindSpec | undefined {
  return Object.hasOwn(managerKindSpecs, kind) ? managerKindSpecs[kind as ManagerKind] : undefined;
}

/** Whether a kind (by name, as a row stores it) has a capability; false for a name no kind has. */
export function kindCan(kind: string, test: (spec: ManagerKindSpec) => boolean): boolean {
  const spec = managerKindSpec(kind);
  return spec !== undefined && test(spec);
}

/** The built-in store: no configuration, no connection test, never removed. */
export const isBuiltIn = (spec: ManagerKindSpec): boolean => spec.role === 'local';

/** The kinds with a capability, e.g. `kindsWhere((spec) => spec.reference !== null)`. */
export function kindsWhere(test: (spec: ManagerKindSpec) => boolean): ManagerKind[] {
  return managerKinds.filter((kind) => test(managerKindSpecs[kind]));
}

/** The labels of the kinds with a capability, as prose ("AWS Secrets Manager, Azure Key Vault or HashiCorp Vault"), for hints that name them. */
export function kindLabels(test: (spec: ManagerKindSpec) => boolean): string {
  const labels = kindsWhere(test).map((kind) => managerKindSpecs[kind].label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}` : (labels[0] ?? '');
}

export const managerRoleLabels: Record<ManagerRole, string> = {
  local: 'Local',
  'key-manager': 'Key manager',
  'secret-store': 'Secret store',
};

/** A manager's summary line: the kind's summary fields of its public configuration. */
export function configSummary(kind: string, config: PublicConfig): string {
  const get = (path: string): string => {
    let node: unknown = config;
    for (const part of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    return typeof node === 'string' || typeof node === 'number' ? String(node) : '';
  };
  return (managerKindSpec(kind)?.summary(get) ?? []).filter(Boolean).join(' · ');
}
