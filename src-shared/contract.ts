/**
 * The renderer → main contract. Main serves it, so main owns it.
 *
 * `channels` maps every channel to the zod schemas of its request and result.
 * The router parses every request with its schema where it arrives; nothing
 * outside this map crosses the boundary. The renderer reaches main through
 * this file alone; the sealing helpers it needs are re-exported here.
 */
import { z } from 'zod';
import { MAX_BATCH, keyInspectionSchema, secretTypes, sealedMessageSchema } from './delegate-protocol.js';
import { connectionReportSchema, connectionStageEventSchema } from './connection-report.js';
import { externalManagerKinds, managerKindSpec, optionFetchingKinds, type ManagerKind } from './manager-kinds.js';
import { migrationChannels, migrationProgressEventSchema } from './migration-contract.js';
import { operationChannels, operationIdSchema, operationProgressEventSchema } from './operation-progress.js';
export * from './migration-contract.js';
export * from './operation-progress.js';
import { savedSearchChannels } from './saved-search-contract.js';
export * from './saved-search-contract.js';
import { keyWorkChannels, keyWorkKinds } from './key-work-contract.js';
export * from './key-work-contract.js';
import { optionalToolPresenceSchema } from './optional-tools.js';

export {
  MAX_FILE_BYTES,
  MAX_TEXT_VALUE_CHARS,
  MIN_PASSPHRASE_LENGTH,
  SEAL_SUITE,
  createSealRecipient,
  crossFieldIssues,
  defaultWinrmPort,
  sealBindings,
  sealValues,
  secretMetadataSchemas,
  secretPayloadSchemas,
  secretTypes,
} from './delegate-protocol.js';
export type { FieldIssue, KeyInspection, SealRecipient, SealedMessage, SecretMetadata, SecretPayload, SecretType } from './delegate-protocol.js';
export { secretTypeDescriptions } from './secret-types.js';
export type { SecretTypeDescription } from './secret-types.js';
export { connectionReportSchema, reportStageSchema } from './connection-report.js';
export type { ConnectionReport, ReportStage } from './connection-report.js';

export { MIN_PASSPHRASE_SCORE } from './passphrase-rules.js';

/** The secret types a connection test accepts. */
export const testableSecretTypes = ['ssh', 'ssh-kerberos', 'ssh-vault-certificate', 'winrm'] as const;

/** Largest request accepted over either transport, in characters of JSON. */
export const MAX_REQUEST_CHARS = 2 * 1024 * 1024;
/** Channels that carry a sealed file (10 MiB, base64 inside sealed JSON) or a whole backup accept more. */
export const MAX_LARGE_REQUEST_CHARS = 64 * 1024 * 1024;

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
export const secretNameSchema = z
  .string()
  .min(1, 'Name is required')
  .max(128, 'Name is longer than 128 characters')
  .regex(SECRET_NAME_PATTERN, 'Use only letters, digits, - and _');
export const descriptionSchema = z.string().max(1000, 'Description is longer than 1000 characters');

const idSchema = z.string().uuid();
/** 'local', or the UUID of an added manager. */
const managerIdSchema = z.string().min(1).max(64);
const publicKeySchema = z.string().max(128).regex(/^[A-Za-z0-9+/]+={0,2}$/);
export const entityNameSchema = z
  .string()
  .min(1, 'Name is required')
  .max(64, 'Name is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'Start with a letter or digit; then letters, digits, space, _, . and -');

export const environmentTypes = ['production', 'non-production'] as const;
export type EnvironmentType = (typeof environmentTypes)[number];

/**
 * One usage-scope entry: one application or all, times one environment, one
 * environment type, or all. `environmentId` and `environmentType` are never
 * both set; `environmentId` requires `applicationId`.
 */
export const scopeEntrySchema = z
  .strictObject({
    applicationId: idSchema.nullable(),
    environmentId: idSchema.nullable().default(null),
    environmentType: z.enum(environmentTypes).nullable().default(null),
  })
  .refine((entry) => !(entry.environmentId && entry.environmentType), 'Choose one environment or one environment type, not both')
  .refine((entry) => !(entry.environmentId && !entry.applicationId), 'A specific environment needs its application');
export type ScopeEntry = z.infer<typeof scopeEntrySchema>;

/** A usage scope. Unscoped means usable by every consumer; scoped with no entries means usable by none. */
export const usageScopeSchema = z.strictObject({
  scoped: z.boolean(),
  /** Usable outside any application (account-level consumers, the CLI without --app/--env). */
  scopeToAccount: z.boolean().default(false),
  entries: z.array(scopeEntrySchema).max(200).default([]),
});
export type UsageScope = z.infer<typeof usageScopeSchema>;
export const UNSCOPED: UsageScope = { scoped: false, scopeToAccount: false, entries: [] };

/** Who is about to use a secret: an application and one of its environments, named. */
export const consumerSchema = z.strictObject({
  application: entityNameSchema,
  environment: entityNameSchema,
});
export type Consumer = z.infer<typeof consumerSchema>;

const factsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const secretSummarySchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  type: z.enum(secretTypes),
  /** The type's non-secret fields (secretMetadataSchemas[type]). */
  metadata: z.record(z.string(), z.unknown()),
  /** What the delegate learnt from the current version: an SSH key's type and fingerprint, a file's size. */
  facts: factsSchema,
  managerId: z.string(),
  version: z.number().int(),
  scope: usageScopeSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Set when the secret is a reference to an existing remote secret (read-only here: update and rollback are refused). */
  reference: z.string().nullable().default(null),
  /** Where a secret store keeps the current version: its path, name or ARN as the store names it; null for values kept here. */
  remoteLocation: z.string().nullable().default(null),
});
export type SecretSummary = z.infer<typeof secretSummarySchema>;

export const secretVersionSchema = z.object({
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  keyringVersion: z.number().int(),
  facts: factsSchema,
  current: z.boolean(),
  /** The remote store's version id, for secrets kept in a secret store; null otherwise. */
  remoteVersionId: z.string().nullable().default(null),
});
export type SecretVersion = z.infer<typeof secretVersionSchema>;

export const environmentSchema = z.object({ id: idSchema, name: z.string(), type: z.enum(environmentTypes) });
export const applicationSchema = z.object({ id: idSchema, name: z.string(), environments: z.array(environmentSchema) });
export type Application = z.infer<typeof applicationSchema>;
export type Environment = z.infer<typeof environmentSchema>;

/**
 * Secret managers (docs/managers.md, docs/architecture.md "Managers").
 *
 * - `managers.list`: every manager, the built-in `local` store first. `publicConfig` holds only the
 *   non-secret fields of its configuration (endpoint, region, key, mount, prefix…); secret fields never leave the delegate.
 * - `managers.add` / `managers.update`: the whole configuration JSON (secret fields included) is sealed
 *   to the delegate with `sealBindings.managerConfig(name)` — `name` is the manager's name as sent in the
 *   same request (on update: the new name if renamed, else the current one). The delegate validates it
 *   with the kind's schema (INVALID_REQUEST with `issues` on failure) and stores it encrypted under the keyring.
 *   On update, a secret field left out of the configuration keeps its stored value (forms show secret fields
 *   empty: leave them out unless the user typed a new one); without `sealedConfig` only the name and flag change.
 *   Fields that locate existing secrets (the KMS key, the vault, the Vault URL/namespace/engine…) cannot change
 *   while the manager holds secrets (INVALID_REQUEST naming them).
 *   `managers.add` first runs the read-only connection test with the new configuration and stores nothing
 *   when it fails: the error carries the failed check's provider code (PROVIDER_AUTH_FAILED, …, or
 *   PROVIDER_PERMISSION_DENIED for missing capabilities). `skipTest` stores it untested.
 * - `managers.remove`: refused with MANAGER_IN_USE while the manager holds secrets (the message counts them).
 *   `local` cannot be removed.
 * - `managers.setDefault`: new secrets go to the default manager; existing secrets stay where they are.
 *   A read-only manager cannot be the default (READ_ONLY).
 * - `managers.test`: a read-only connection test (never writes); its result is recorded as the manager's health.
 * - `managers.fetchOptions`: the lists a form can offer before the manager exists: Vault KV mounts
 *   (needs url/auth/namespace/caCertificate) or Azure vaults (needs tenantId/clientId/clientSecret/subscription…).
 *   The partial configuration is sealed with `sealBindings.managerConfig('')` (empty name).
 * - `secrets.create` takes an optional `managerId` (default: the default manager).
 * - `secrets.createReference`: a secret that points at an existing remote secret (Vault `path#key`,
 *   AWS `name#jsonKey` or ARN, Azure `name` or `name/version`). It is read once to check it; the value is
 *   never stored locally, and deleting the reference never deletes the remote secret.
 *   Only secret-store kinds (vault, azure-key-vault, aws-secrets-manager) take references.
 * Provider failures arrive as PROVIDER_AUTH_FAILED, PROVIDER_PERMISSION_DENIED (`permission` names the
 * missing permission when the provider said), PROVIDER_NOT_FOUND, PROVIDER_THROTTLED (`retryAfterMs`),
 * PROVIDER_UNREACHABLE, PROVIDER_TLS_UNTRUSTED, PROVIDER_CONFLICT, PROVIDER_ERROR; writes to a read-only
 * manager as READ_ONLY.
 */
/** The kinds, their roles and capabilities: one description per kind (manager-kinds.ts). */
export { configSummary, externalManagerKinds, isBuiltIn, kindCan, kindLabels, kindsWhere, managerKindSpec, managerKindSpecs, managerKinds, managerRoleLabels, optionFetchingKinds } from './manager-kinds.js';
export type { ExternalManagerKind, ManagerKind, ManagerKindSpec, ManagerRole, NameRule } from './manager-kinds.js';

/** Whether a manager keeps older values readable by version (its kind's description says; Vault's KV v1 keeps only the latest value). */
export function keepsVersions(kind: ManagerKind, publicConfig: Record<string, unknown>): boolean {
  return managerKindSpec(kind)?.keepsVersions(publicConfig) ?? true;
}

const factValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** What a read-only connection test found (the provider's ProviderTestResult). */
export const providerTestResultSchema = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
  /** Key version, token TTL and renewability, AppRole secret-id expiry, errorCode, missingPermission… */
  facts: z.record(z.string(), factValueSchema),
  /** Credentials that expire soon, and similar. */
  warnings: z.array(z.string()),
});
export type ProviderTestResult = z.infer<typeof providerTestResultSchema>;

/** Vault's token renewal loop, as last seen. */
export const renewalStatusSchema = z.object({
  state: z.enum(['idle', 'active', 'failing', 'paused', 'not-needed', 'stopped']),
  consecutiveFailures: z.number().int(),
  ttlSeconds: z.number().nullable(),
  lastRenewedAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type RenewalStatus = z.infer<typeof renewalStatusSchema>;

/**
 * A KMS key version that wrapped keys still need (manager-kinds `rewrapsKeys`): the Cloud KMS
 * cryptoKeyVersion name, or the AWS key ARN and key material (`ARN#material`). While any secret is
 * counted under a version, destroying that version loses those secrets.
 */
export const keyVersionUseSchema = z.object({
  keyVersion: z.string(),
  /** Wrapped intermediate keys under this version. */
  intermediateKeys: z.number().int(),
  /** Secrets with at least one version whose data key one of them seals. */
  secrets: z.number().int(),
  /** Whether new wraps use it: true/false as of the last connection test or re-wrap, null when neither ran. */
  current: z.boolean().nullable(),
});
export type KeyVersionUse = z.infer<typeof keyVersionUseSchema>;

export const managerHealthSchema = z.object({
  /** The last connection test; null until one ran. */
  lastCheckAt: z.string().nullable(),
  ok: z.boolean().nullable(),
  summary: z.string().nullable(),
  warnings: z.array(z.string()),
  /** Facts of the last test (TTL, key version…). */
  facts: z.record(z.string(), factValueSchema),
  /** Vault only, while the delegate holds the manager open: its token renewal loop. */
  renewal: renewalStatusSchema.nullable(),
  /** KMS kinds whose key rotates (`rewrapsKeys`): every key version still in use, newest wrap first; [] for other kinds. */
  keyVersions: z.array(keyVersionUseSchema),
});
export type ManagerHealth = z.infer<typeof managerHealthSchema>;
/** What main stores as a manager's health: renewal and key versions are read live when it is listed. */
export type RecordedHealth = Omit<ManagerHealth, 'renewal' | 'keyVersions'>;

export const managerSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  /** 'local', 'key-manager' or 'secret-store'. */
  role: z.enum(['local', 'key-manager', 'secret-store']),
  isDefault: z.boolean(),
  readOnly: z.boolean(),
  scope: usageScopeSchema,
  secretCount: z.number().int(),
  /** The configuration's non-secret fields; `{}` for local. */
  publicConfig: z.record(z.string(), z.unknown()),
  health: managerHealthSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ManagerSummary = z.infer<typeof managerSummarySchema>;

/** What `managers.fetchOptions` offers a form. */
export const managerOptionsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('vault'),
    mounts: z.array(z.object({ path: z.string(), type: z.string(), version: z.union([z.literal(1), z.literal(2)]).nullable(), description: z.string() })),
  }),
  z.object({
    kind: z.literal('azure-key-vault'),
    vaults: z.array(z.object({ name: z.string(), resourceGroup: z.string().nullable(), location: z.string().nullable() })),
  }),
]);
export type ManagerOptions = z.infer<typeof managerOptionsSchema>;

/** A remote reference: Vault `path#key`, AWS `name#jsonKey` or an ARN, Azure `name` or `name/version`. */
export const secretReferenceSchema = z.string().min(1, 'Reference is required').max(2048);

/** What deleting an application or environment did to the secrets that named it. */
export const scopeRemovalReportSchema = z.object({
  affectedSecrets: z.array(z.string()),
  /** Secrets whose only entries were removed: now usable by no consumer until their scope is edited. */
  nowUnusable: z.array(z.string()),
});
export type ScopeRemovalReport = z.infer<typeof scopeRemovalReportSchema>;

export const secretSortKeys = ['name', 'type', 'updated', 'created'] as const;

export const connectionTestRecordSchema = z.object({
  id: idSchema,
  host: z.string(),
  port: z.number().int(),
  ok: z.boolean(),
  errorCode: z.string().nullable(),
  consumer: z.string().nullable(),
  actor: z.string(),
  startedAt: z.string(),
  report: connectionReportSchema,
});
export type ConnectionTestRecord = z.infer<typeof connectionTestRecordSchema>;

export const knownHostSchema = z.object({ host: z.string(), port: z.number().int(), keyType: z.string(), fingerprint: z.string(), addedAt: z.string() });
export type KnownHost = z.infer<typeof knownHostSchema>;

const hostNameSchema = z.string().min(1, 'Host is required').max(253).regex(/^[A-Za-z0-9:][A-Za-z0-9.:-]*$/, 'A host name or an IP address');

/** A backup restored: what came back and what did not. */
export const restoreReportSchema = z.object({
  secrets: z.number().int(),
  versions: z.number().int(),
  applications: z.number().int(),
  environments: z.number().int(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  /** Secrets of a KMS manager that is not in this store: restored into the built-in store (the backup holds their values). Present only when there are any. */
  movedToBuiltIn: z.array(z.string()).optional(),
});
export type RestoreReport = z.infer<typeof restoreReportSchema>;

/**
 * A change to apply to several secrets' scopes: `set` replaces the entries, `add` and `remove` change them;
 * `account` turns use outside an application on or off; `unscoped` lets anyone use them.
 */
export const scopeEditSchema = z.strictObject({
  set: z.array(scopeEntrySchema).max(200).optional(),
  add: z.array(scopeEntrySchema).max(200).default([]),
  remove: z.array(scopeEntrySchema).max(200).default([]),
  account: z.boolean().optional(),
  unscoped: z.boolean().default(false),
});
export type ScopeEdit = z.infer<typeof scopeEditSchema>;

export const scopeManyReportSchema = z.object({
  /** Secrets the edit selected. */
  total: z.number().int(),
  changed: z.number().int(),
  /** Already as the edit asks. */
  unchanged: z.number().int(),
  /** Left as they were, with the reason (a scope wider than the manager's, a secret deleted meanwhile); at most 100 listed. */
  failed: z.array(z.object({ name: z.string(), reason: z.string() })),
  failedCount: z.number().int(),
  /** Stopped by operations.cancel: the secrets after the last whole batch were not looked at. */
  stopped: z.boolean(),
});
export type ScopeManyReport = z.infer<typeof scopeManyReportSchema>;

export const auditActions = [
  'vault.create',
  'vault.unlock',
  'vault.lock',
  'secret.create',
  'secret.reveal',
  'secret.copy',
  'secret.download',
  'secret.update',
  'secret.delete',
  'audit.verify',
  'settings.update',
  'secret.rollback',
  'secret.scope',
  'secret.resolve',
  'app.create',
  'app.update',
  'app.delete',
  'env.create',
  'env.update',
  'env.delete',
  'manager.scope',
  'backup.export',
  'backup.restore',
  'connection.test',
  'hostkey.trust',
  'hostkey.remove',
  'manager.add',
  'manager.update',
  'manager.remove',
  'manager.default',
  'manager.test',
  'audit.break',
  'secret.migrate',
  'migration.start',
  'migration.resume',
  'migration.cancel',
  'keyring.rotate',
  'keyring.kdf',
  'secrets.authenticate',
  'store.check',
  'manager.forgetWrite',
  'manager.rewrap',
  'search.save',
  'search.rename',
  'search.delete',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who an audit filter may ask for: the UI (desktop or browser), any CLI run, or connection tests. */
export const auditActorKinds = ['ui', 'cli', 'connection-test'] as const;
export type AuditActorKind = (typeof auditActorKinds)[number];

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  /**
   * `desktop` (the Electron window), `bridge` (the UI in a browser), `cli:<pid>`
   * (one CLI run; older entries say `cli`), each optionally followed by
   * `/connection-test` for what a connection test did on its behalf.
   */
  actor: z.string(),
  action: z.enum(auditActions),
  target: z.string().nullable(),
  outcome: z.enum(['success', 'failure']),
  detail: z.string().nullable(),
  sealed: z.boolean(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Seconds one network stage of a connection test may wait: long enough for a slow VPN, short enough to give up. */
export const connectTimeoutSecondsSchema = z.number().int().min(1).max(300);

/** The colour scheme: the system's (prefers-color-scheme), or one chosen in Settings. */
export const themeChoices = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof themeChoices)[number];

export const settingsSchema = z.object({
  autoLockMinutes: z.number().int().min(1).max(24 * 60),
  /** How many versions of each secret to keep; the current one is always kept. */
  versionRetention: z.number().int().min(10, 'Keep at least 10 versions').max(10_000),
  /** Deadline of each network stage of a connection test (DNS, TCP, SSH banner, login, probe); --timeout overrides it per run. */
  connectTimeoutSeconds: connectTimeoutSecondsSchema,
  theme: z.enum(themeChoices),
  /** Seconds after which the app empties the clipboard of a value it copied (if it still holds it); null: never. */
  clipboardClearSeconds: z.number().int().min(1).max(3600).nullable(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The outcome of SQLite's check of the store file (PRAGMA quick_check): when, and the first problems it named. */
export const storeCheckSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  problems: z.array(z.string()),
});
export type StoreCheck = z.infer<typeof storeCheckSchema>;

/** A write into a secret store journaled before it was made and never confirmed: the name may hold a value Strongroom left behind. */
export const pendingRemoteWriteSchema = z.object({
  /** The journal entry's id: what `manager orphans forget ID` takes. */
  id: z.number().int(),
  managerId: z.string(),
  managerName: z.string(),
  /** The secret the write was for; it may never have been stored here. */
  secretId: z.string(),
  remoteName: z.string(),
  createdAt: z.string(),
});
export type PendingRemoteWrite = z.infer<typeof pendingRemoteWriteSchema>;

export const appStatusSchema = z.object({
  initialized: z.boolean(),
  unlocked: z.boolean(),
  delegatePublicKey: z.string().nullable(),
  sealSuite: z.string(),
  settings: settingsSchema,
  unlockRetryAfterMs: z.number().int().min(0),
  /** The last store check, run at unlock once a week; null until one ran. */
  storeCheck: storeCheckSchema.nullable(),
});
export type AppStatus = z.infer<typeof appStatusSchema>;

const empty = z.strictObject({});

/** Every channel: its request schema and its result schema. */
export const channels = {
  'app.status': { request: empty, result: appStatusSchema },
  'vault.create': { request: z.strictObject({ sealedPassphrase: sealedMessageSchema }), result: empty },
  'vault.unlock': { request: z.strictObject({ sealedPassphrase: sealedMessageSchema }), result: empty },
  'vault.lock': { request: empty, result: empty },
  'session.activity': { request: empty, result: empty },
  'settings.update': { request: settingsSchema.partial().strict(), result: settingsSchema },
  'store.check': { request: empty, result: storeCheckSchema },
  'secrets.list': {
    request: z.strictObject({
      query: z.string().max(128).default(''),
      types: z.array(z.enum(secretTypes)).max(secretTypes.length).optional(),
      managerId: z.string().max(64).optional(),
      applicationId: idSchema.optional(),
      environmentId: idSchema.optional(),
      sort: z.enum(secretSortKeys).default('name'),
      direction: z.enum(['asc', 'desc']).default('asc'),
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0),
    }),
    result: z.object({
      total: z.number().int(),
      items: z.array(secretSummarySchema),
      /** Present while the search index is being built (after unlock): this answer came from SQLite, slower. */
      indexing: z.literal(true).optional(),
    }),
  },
  'secrets.get': { request: z.strictObject({ id: idSchema }), result: secretSummarySchema },
  'secrets.create': {
    request: z.strictObject({
      name: secretNameSchema,
      description: descriptionSchema.optional(),
      type: z.enum(secretTypes).default('text'),
      metadata: z.record(z.string(), z.unknown()).default({}),
      scope: usageScopeSchema.optional(),
      sealedValue: sealedMessageSchema,
      /** The manager to keep it in; the default manager when absent. */
      managerId: managerIdSchema.optional(),
      /**
       * Secret stores: the name is already taken there by a secret Strongroom did not write, and the user
       * confirmed taking it over (a new version on top of it). Without it such a create fails with REMOTE_EXISTS.
       */
      adopt: z.boolean().default(false),
    }),
    result: secretSummarySchema,
    maxChars: MAX_LARGE_REQUEST_CHARS,
  },
  'secrets.createReference': {
    request: z.strictObject({
      name: secretNameSchema,
      description: descriptionSchema.optional(),
      managerId: managerIdSchema,
      reference: secretReferenceSchema,
      scope: usageScopeSchema.optional(),
    }),
    result: secretSummarySchema,
  },
  'secrets.createMany': {
    request: z.strictObject({
      items: z.array(z.strictObject({ name: secretNameSchema, description: descriptionSchema.optional() })).min(1).max(MAX_BATCH),
      sealedValues: sealedMessageSchema,
      /** The manager to keep them in; the default manager when absent. */
      managerId: managerIdSchema.optional(),
    }),
    result: z.object({ items: z.array(secretSummarySchema) }),
    maxChars: MAX_LARGE_REQUEST_CHARS,
  },
  /**
   * The type and SHA256 fingerprint of a private key typed into a form, before saving. `sealedKey` holds
   * [private key, passphrase ('' for none)] sealed to the delegate with `sealBindings.keyInspect()`:
   * main only relays it, and only public facts come back. Nothing is stored or audited.
   */
  'secrets.inspectKey': {
    request: z.strictObject({ sealedKey: sealedMessageSchema }),
    result: keyInspectionSchema,
  },
  'secrets.checkNames': {
    request: z.strictObject({ names: z.array(z.string().max(128)).min(1).max(10_000) }),
    result: z.object({ taken: z.array(z.string()) }),
  },
  'secrets.reveal': {
    request: z.strictObject({
      id: idSchema,
      version: z.number().int().min(1).optional(),
      consumer: consumerSchema.optional(),
      recipientPublicKey: publicKeySchema,
      purpose: z.enum(['reveal', 'copy', 'download']),
    }),
    result: z.object({ sealed: sealedMessageSchema }),
  },
  'secrets.versions': { request: z.strictObject({ id: idSchema }), result: z.object({ items: z.array(secretVersionSchema) }) },
  'secrets.rollback': { request: z.strictObject({ id: idSchema, toVersion: z.number().int().min(1) }), result: secretSummarySchema },
  'secrets.setScope': { request: z.strictObject({ id: idSchema, scope: usageScopeSchema }), result: secretSummarySchema },
  /**
   * One scope edit for many secrets (by id, or every secret a list filter matches), written in batches of one
   * transaction each, with `operation.progress` events; `operations.cancel` stops it between batches.
   */
  'secrets.scopeMany': {
    request: z.strictObject({
      operationId: operationIdSchema,
      ids: z.array(idSchema).max(100_000).optional(),
      filter: z
        .strictObject({
          query: z.string().max(128).default(''),
          types: z.array(z.enum(secretTypes)).max(secretTypes.length).optional(),
          managerId: managerIdSchema.optional(),
          applicationId: idSchema.optional(),
          environmentId: idSchema.optional(),
        })
        .optional(),
      edit: scopeEditSchema,
    }),
    result: scopeManyReportSchema,
  },
  'apps.list': { request: empty, result: z.object({ items: z.array(applicationSchema) }) },
  'apps.create': { request: z.strictObject({ name: entityNameSchema }), result: applicationSchema },
  'apps.rename': { request: z.strictObject({ id: idSchema, name: entityNameSchema }), result: applicationSchema },
  'apps.delete': { request: z.strictObject({ id: idSchema }), result: scopeRemovalReportSchema },
  'envs.create': {
    request: z.strictObject({ applicationId: idSchema, name: entityNameSchema, type: z.enum(environmentTypes) }),
    result: environmentSchema,
  },
  'envs.update': {
    request: z.strictObject({ id: idSchema, name: entityNameSchema.optional(), type: z.enum(environmentTypes).optional() }),
    result: environmentSchema,
  },
  'envs.delete': { request: z.strictObject({ id: idSchema }), result: scopeRemovalReportSchema },
  'managers.list': { request: empty, result: z.object({ items: z.array(managerSummarySchema) }) },
  /** Writes into secret stores left pending by a failed or interrupted batch: values that may be there with no secret here. */
  'managers.pendingWrites': {
    request: z.strictObject({ managerId: managerIdSchema.optional() }),
    result: z.object({ items: z.array(pendingRemoteWriteSchema) }),
  },
  /** An admin checked the store at an unconfirmed write's name (and cleaned it up there): drop it from the journal. */
  'managers.forgetPendingWrite': {
    request: z.strictObject({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
    result: pendingRemoteWriteSchema,
  },
  'managers.setScope': {
    request: z.strictObject({
      id: z.string().max(64),
      scope: usageScopeSchema,
      /** When the new scope no longer covers some secrets: narrow them too (true), or refuse with SCOPE_CONFLICT (false). */
      narrowSecrets: z.boolean().default(false),
    }),
    result: z.object({ manager: managerSummarySchema, narrowed: z.array(z.string()) }),
  },
  'managers.add': {
    request: z.strictObject({
      name: entityNameSchema,
      kind: z.enum(externalManagerKinds),
      /** The whole configuration JSON, secret fields included, sealed with sealBindings.managerConfig(name). */
      sealedConfig: sealedMessageSchema,
      readOnly: z.boolean().default(false),
      /** Store it without the read-only connection test that otherwise runs first (and refuses a manager that fails it). */
      skipTest: z.boolean().default(false),
    }),
    result: managerSummarySchema,
  },
  'managers.update': {
    request: z.strictObject({
      id: managerIdSchema,
      name: entityNameSchema.optional(),
      /** A replacement configuration, sealed with sealBindings.managerConfig(<the name after this update>). */
      sealedConfig: sealedMessageSchema.optional(),
      readOnly: z.boolean().optional(),
    }),
    result: managerSummarySchema,
  },
  'managers.remove': { request: z.strictObject({ id: managerIdSchema }), result: empty },
  'managers.setDefault': { request: z.strictObject({ id: managerIdSchema }), result: managerSummarySchema },
  'managers.test': {
    request: z.strictObject({ id: managerIdSchema }),
    result: z.object({ result: providerTestResultSchema, manager: managerSummarySchema }),
  },
  /**
   * KMS key rotation (kinds with `rewrapsKeys`): every wrapped intermediate key of the manager wrapped again
   * under the key's current version, journaled per key, so a run stopped anywhere continues (`resumed`) when
   * asked again. Progress arrives as `managers.rewrapProgress` events. Other kinds: INVALID_REQUEST.
   */
  'managers.rewrap': {
    request: z.strictObject({ id: managerIdSchema }),
    result: z.object({ keyVersion: z.string(), rewrapped: z.number().int(), resumed: z.boolean(), keyVersions: z.array(keyVersionUseSchema) }),
  },
  'managers.fetchOptions': {
    request: z.strictObject({
      kind: z.enum(optionFetchingKinds),
      /** The form's configuration so far, sealed with sealBindings.managerConfig(''). */
      sealedConfig: sealedMessageSchema,
    }),
    result: managerOptionsSchema,
  },
  'backup.export': {
    request: z.strictObject({ sealedPassphrase: sealedMessageSchema, operationId: operationIdSchema.optional() }),
    result: z.object({ fileName: z.string(), content: z.string(), secrets: z.number().int() }),
  },
  'backup.restore': {
    request: z.strictObject({ sealedPassphrase: sealedMessageSchema, content: z.string().max(MAX_LARGE_REQUEST_CHARS), operationId: operationIdSchema.optional() }),
    result: restoreReportSchema,
    maxChars: MAX_LARGE_REQUEST_CHARS,
  },
  'secrets.revealMany': {
    request: z.strictObject({ ids: z.array(idSchema).min(1).max(MAX_BATCH), recipientPublicKey: publicKeySchema }),
    result: z.object({ sealed: sealedMessageSchema }),
  },
  'secrets.update': {
    request: z.strictObject({
      id: idSchema,
      name: secretNameSchema.optional(),
      description: descriptionSchema.nullable().optional(),
      /** New metadata for the secret's type; a change to it needs a new value too, because the delegate checks them together. */
      metadata: z.record(z.string(), z.unknown()).optional(),
      sealedValue: sealedMessageSchema.optional(),
    }),
    result: secretSummarySchema,
    maxChars: MAX_LARGE_REQUEST_CHARS,
  },
  'secrets.delete': {
    request: z.strictObject({
      id: idSchema,
      /** Secret stores: remove only the entry here and leave every remote version in place. */
      keepRemote: z.boolean().default(false),
    }),
    result: empty,
  },
  'connections.test': {
    request: z.strictObject({
      /** Chosen by the renderer so it can match live `connection.stage` events to this test. */
      testId: idSchema,
      secretId: idSchema,
      host: hostNameSchema,
      port: z.number().int().min(1).max(65535).optional(),
      consumer: consumerSchema.optional(),
      /** Trust a host key never seen before (the CLI's --accept-new-host-key). A changed key always fails. */
      acceptNewHostKey: z.boolean().default(false),
      /** This run's deadline per network stage (the CLI's --timeout); the connectTimeoutSeconds setting when absent. */
      timeoutSeconds: connectTimeoutSecondsSchema.optional(),
    }),
    result: z.object({ testId: idSchema, report: connectionReportSchema, hostKeyTrusted: z.boolean() }),
  },
  'connections.history': {
    request: z.strictObject({ secretId: idSchema, limit: z.number().int().min(1).max(200).default(20) }),
    result: z.object({ items: z.array(connectionTestRecordSchema) }),
  },
  /** Trusts the new host key a finished test saw, after the user compared its fingerprint. */
  'connections.trustHostKey': { request: z.strictObject({ testId: idSchema }), result: knownHostSchema },
  /** Which optional tools (kerberos addon, Kerberos client, OpenSSH client) the delegate found, so a form can say what a test would lack. */
  'connections.tools': { request: empty, result: z.object({ present: optionalToolPresenceSchema }) },
  'knownHosts.list': { request: empty, result: z.object({ items: z.array(knownHostSchema) }) },
  'knownHosts.remove': {
    request: z.strictObject({ host: hostNameSchema, port: z.number().int().min(1).max(65535), keyType: z.string().max(64) }),
    result: empty,
  },
  'audit.list': {
    request: z.strictObject({
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0),
      /** Entries whose target contains this text (a secret's name, case-insensitive). */
      target: z.string().min(1).max(128).optional(),
      actor: z.enum(auditActorKinds).optional(),
      action: z.enum(auditActions).optional(),
      /** Entries at or after this instant. */
      since: z.iso.datetime({ offset: true }).optional(),
      /** Entries before this instant. */
      until: z.iso.datetime({ offset: true }).optional(),
    }),
    result: z.object({ total: z.number().int(), items: z.array(auditEntrySchema) }),
  },
  'audit.verify': {
    request: empty,
    result: z.object({
      intact: z.boolean(),
      checked: z.number().int(),
      firstBrokenSeq: z.number().int().nullable(),
      problem: z.string().nullable(),
      /** Secrets whose row failed its integrity MAC (format.md 5.7): each is refused wherever it would be used. */
      tamperedSecrets: z.array(z.object({ name: z.string(), problem: z.string() })),
    }),
  },
  /** After a break in the tail of the trail was looked into: records it in the trail and lets Strongroom write again. */
  'audit.acceptBreak': { request: empty, result: z.object({ problem: z.string(), firstBrokenSeq: z.number().int() }) },
  ...migrationChannels,
  ...operationChannels,
  ...savedSearchChannels,
  ...keyWorkChannels,
} as const satisfies Record<string, { request: z.ZodType; result: z.ZodType; maxChars?: number }>;

export type Channel = keyof typeof channels;
export const channelNames = Object.keys(channels) as Channel[];
export type ChannelRequest<C extends Channel> = z.input<(typeof channels)[C]['request']>;
/** A request after the router parsed it: defaults filled in. */
export type ParsedRequest<C extends Channel> = z.infer<(typeof channels)[C]['request']>;
export type ChannelResult<C extends Channel> = z.infer<(typeof channels)[C]['result']>;

export const ipcErrorCodes = [
  'UNKNOWN_CHANNEL',
  'INVALID_REQUEST',
  'TOO_LARGE',
  'NOT_INITIALIZED',
  'ALREADY_INITIALIZED',
  'LOCKED',
  'WRONG_PASSPHRASE',
  'WEAK_PASSPHRASE',
  'RATE_LIMITED',
  'NOT_FOUND',
  'NAME_TAKEN',
  'SCOPE_DENIED',
  'SCOPE_CONFLICT',
  'SEAL_INVALID',
  'TAMPERED',
  'AUDIT_BROKEN',
  'READ_ONLY',
  'MANAGER_IN_USE',
  'PROVIDER_AUTH_FAILED',
  'PROVIDER_PERMISSION_DENIED',
  'PROVIDER_NOT_FOUND',
  'PROVIDER_THROTTLED',
  'PROVIDER_UNREACHABLE',
  'PROVIDER_TLS_UNTRUSTED',
  'PROVIDER_CONFLICT',
  'PROVIDER_ERROR',
  /** A create in a secret store found the name already taken there by a secret Strongroom did not write. */
  'REMOTE_EXISTS',
  /** A manager of a kind that is described but has no provider in this Strongroom. */
  'KIND_UNAVAILABLE',
  'DELEGATE_UNAVAILABLE',
  'DELEGATE_TIMEOUT',
  'BUSY',
  /** The operation was stopped by operations.cancel before it wrote anything it reports. */
  'CANCELLED',
  'INTERNAL',
] as const;
export type IpcErrorCode = (typeof ipcErrorCodes)[number];

export const ipcErrorSchema = z.object({
  code: z.enum(ipcErrorCodes),
  message: z.string(),
  /** Present on RATE_LIMITED and WRONG_PASSPHRASE: when the next unlock attempt is allowed. */
  retryAfterMs: z.number().int().optional(),
  /** Present on INVALID_REQUEST: which field failed and why. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** Present on SCOPE_CONFLICT: the secrets a manager's new scope would no longer cover. */
  conflicts: z.array(z.string()).optional(),
  /** Present on PROVIDER_PERMISSION_DENIED when the provider named the missing permission. */
  permission: z.string().optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type IpcResult<C extends Channel> = { ok: true; value: ChannelResult<C> } | { ok: false; error: IpcError };

/** Pushed from main to the renderer. */
export const appEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('vault.locked'), reason: z.enum(['user', 'idle', 'delegate-restarted']) }),
  z.object({ type: z.literal('vault.unlocked') }),
  z.object({ type: z.literal('secrets.changed') }),
  z.object({ type: z.literal('managers.changed') }),
  z.object({ type: z.literal('managers.rewrapProgress'), managerId: z.string(), done: z.number().int(), total: z.number().int() }),
  /** Key work an earlier process left interrupted, resumed after an unlock: started, then finished or failed (the message says what to do). */
  z.object({
    type: z.literal('keys.resumed'),
    work: z.enum(keyWorkKinds),
    managerId: z.string().nullable(),
    state: z.enum(['started', 'finished', 'failed']),
    message: z.string(),
  }),
  /** The state `keys.status` returns changed: a run of key work started or ended. */
  z.object({ type: z.literal('keys.changed') }),
  /** Master key rotation: keys re-wrapped so far of those left when this run started; `done` once the old version is dropped. */
  z.object({ type: z.literal('keyring.rotateProgress'), phase: z.enum(['data-keys', 'configs', 'done']), done: z.number().int(), total: z.number().int() }),
  connectionStageEventSchema,
  migrationProgressEventSchema,
  operationProgressEventSchema,
  /** The search index finished building: list answers are fast again (they carried `indexing` meanwhile). */
  z.object({ type: z.literal('secrets.indexed') }),
]);
export type AppEvent = z.infer<typeof appEventSchema>;

/**
 * The one object the renderer talks to, whether the Electron preload or the
 * loopback bridge provides it.
 */
export interface StrongroomApi {
  invoke<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<IpcResult<C>>;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

/** The global name under which the preload exposes the API. */
export const API_GLOBAL = 'strongroom';
/** The bridge's WebSocket path. */
export const BRIDGE_SOCKET_PATH = '/api';
/** The WebSocket subprotocol the bridge speaks; the server echoes it. */
export const BRIDGE_PROTOCOL = 'strongroom.v1';
/** The page secret rides in a second offered subprotocol: a browser can set no other header on a WebSocket. */
export const BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX = 'strongroom.page.';
/** The launch redirect's URL fragment (`#session=...`) that hands the page its secret. */
export const BRIDGE_PAGE_SECRET_FRAGMENT = 'session';

/** A frame the renderer sends over the bridge's WebSocket. */
export const bridgeRequestFrameSchema = z.strictObject({
  id: z.number().int().min(1),
  channel: z.string().max(64),
  // The router reads a missing request as {}; a frame must say {} itself, so a null can never lock the vault.
  request: z.unknown().refine((value) => value !== null && value !== undefined, 'Required: a request without fields is {}.'),
});
/** A frame main sends over the bridge's WebSocket: a reply to one request, or an event. */
export type BridgeReplyFrame = { id: number; result: IpcResult<Channel> } | { event: AppEvent };

// The parsers themselves are imported from import-formats.ts where a file is read, so a process that never imports a file never loads them.
export type { ImportParseResult, ImportedSecret } from './import-formats.js';
