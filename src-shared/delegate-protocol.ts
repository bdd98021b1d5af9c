/**
 * The main → delegate contract. It lives in the shared layer because both
 * main and the delegate read it; the delegate serves it.
 *
 * Every request the delegate receives is parsed with `delegateRequestSchema`
 * before anything else happens; every reply main receives is parsed with the
 * schema of the operation it asked for. Binary values are base64 strings so
 * messages are plain JSON on both transports (child_process IPC and Electron's
 * utilityProcess port).
 */
import { z } from 'zod';

export {
  SEAL_INFO,
  SEAL_SUITE,
  canonicalJson,
  createSealRecipient,
  fromBase64,
  sealValues,
  toBase64,
} from './sealed-box.js';
export type { SealBinding, SealRecipient, SealedMessage } from './sealed-box.js';
export { sealBindings } from './sealed-box.js';
export {
  MAX_FILE_BYTES,
  MAX_TEXT_VALUE_CHARS,
  crossFieldIssues,
  defaultWinrmPort,
  secretMetadataSchemas,
  secretPayloadSchemas,
  secretTypes,
} from './secret-types.js';
export type { FieldIssue, SecretMetadata, SecretPayload, SecretType } from './secret-types.js';
import { secretTypes } from './secret-types.js';
import { connectionReportSchema, reportStageSchema } from './connection-report.js';
import { providerErrorCodes } from './provider-error-codes.js';
import { externalManagerKinds, optionFetchingKinds, type ExternalManagerKind } from './manager-kinds.js';
import { optionalToolPresenceSchema } from './optional-tools.js';
import { KDF_BOUNDS, MAX_DELEGATE_MESSAGE_CHARS } from './delegate-start-protocol.js';

export { providerErrorCodes } from './provider-error-codes.js';
export type { ProviderErrorCode } from './provider-error-codes.js';

export { MAX_DELEGATE_MESSAGE_CHARS } from './delegate-start-protocol.js';
/** Largest batch of values in one sealed message. */
export const MAX_BATCH = 1000;

const base64 = z.string().max(MAX_DELEGATE_MESSAGE_CHARS).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

export const sealedMessageSchema = z.strictObject({ enc: base64.max(256), ct: base64 });

export const sealBindingSchema = z.strictObject({
  purpose: z.string().min(1).max(64),
  bindings: z.record(z.string(), z.unknown()),
});

export const kdfParamsSchema = z.strictObject({
  algorithm: z.literal('scrypt'),
  N: z.number().int().min(KDF_BOUNDS.N.min).max(KDF_BOUNDS.N.max),
  r: z.number().int().min(KDF_BOUNDS.r.min).max(KDF_BOUNDS.r.max),
  p: z.number().int().min(KDF_BOUNDS.p.min).max(KDF_BOUNDS.p.max),
  salt: base64.max(64),
});
export type KdfParams = z.infer<typeof kdfParamsSchema>;

/** One keyring version: a master key wrapped by the passphrase-derived key. */
export const keyringEntrySchema = z.strictObject({
  version: z.number().int().min(1),
  kdf: kdfParamsSchema,
  wrappedKey: base64.max(256),
});
export type KeyringEntry = z.infer<typeof keyringEntrySchema>;

/** A key wrapped by one keyring version (the audit MAC key, data keys). */
export const wrappedByKeyringSchema = z.strictObject({
  keyringVersion: z.number().int().min(1),
  wrapped: base64.max(256),
});
export type WrappedByKeyring = z.infer<typeof wrappedByKeyringSchema>;

const secretIdSchema = z.string().uuid();

/** What the AAD of a secret version binds. */
export const secretAddressSchema = z.strictObject({
  secretId: secretIdSchema,
  version: z.number().int().min(1),
  type: z.enum(secretTypes),
  managerId: z.string().min(1).max(64),
});
export type SecretAddress = z.infer<typeof secretAddressSchema>;

/**
 * One stored secret version, in one of three shapes:
 * - built-in store: `ciphertext` + `wrappedKey` (the data key under keyring version `keyringVersion`);
 * - KMS manager: `ciphertext` + `wrappedKey` (the data key under intermediate key `intermediateKeyId`, which KMS wraps);
 * - secret store: `remote` names the value in the store (`ciphertext` and `wrappedKey` are empty);
 *   `versionId` null means "whatever the store holds now" (a reference to an existing secret).
 */
export const encryptedVersionSchema = z.strictObject({
  ciphertext: base64,
  wrappedKey: base64.max(256),
  keyringVersion: z.number().int().min(1),
  intermediateKeyId: z.string().uuid().optional(),
  remote: z.strictObject({ reference: z.string().min(1).max(2048), versionId: z.string().min(1).max(256).nullable() }).optional(),
});
export type EncryptedVersion = z.infer<typeof encryptedVersionSchema>;

/**
 * An intermediate key as main stores it: the same shape as
 * providers/intermediate-keys.ts's record (repeated here because that module
 * needs node:crypto, and the renderer loads this file).
 */
export const intermediateKeyRecordSchema = z.strictObject({
  id: z.string().uuid(),
  managerId: z.string().min(1).max(64),
  wrappedKey: base64.max(8192),
  kmsKeyVersion: z.string().min(1).max(512),
  createdAt: z.number().int().min(0),
  useCount: z.number().int().min(0),
});
export type IntermediateKeyRecord = z.infer<typeof intermediateKeyRecordSchema>;

/** The manager kinds the delegate opens a provider for: every kind but `local` (the built-in store). */
export type ProviderKind = ExternalManagerKind;

/** A manager's configuration as main stores it: AES-256-GCM under a keyring version, bound to the manager's id and kind. */
export const encryptedConfigSchema = z.strictObject({ ciphertext: base64.max(1_000_000), keyringVersion: z.number().int().min(1) });
export type EncryptedConfig = z.infer<typeof encryptedConfigSchema>;

/** What the delegate needs to open a manager's provider: main sends it with every request that uses one. */
export const managerContextSchema = z.strictObject({
  id: z.string().min(1).max(64),
  kind: z.enum(externalManagerKinds),
  /** Grows with every configuration change: the delegate caches providers by id and this. */
  configVersion: z.number().int().min(1),
  readOnly: z.boolean(),
  config: encryptedConfigSchema,
});
export type ManagerContext = z.infer<typeof managerContextSchema>;

/** Values of a provider's test facts. */
const factValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);
export const providerTestResultWireSchema = z.strictObject({
  ok: z.boolean(),
  checks: z.array(z.strictObject({ name: z.string().max(200), ok: z.boolean(), detail: z.string().max(4000) })).max(32),
  facts: z.record(z.string().max(64), factValue),
  warnings: z.array(z.string().max(2000)).max(32),
});

export const renewalStatusWireSchema = z.strictObject({
  state: z.enum(['idle', 'active', 'failing', 'paused', 'not-needed', 'stopped']),
  consecutiveFailures: z.number().int(),
  ttlSeconds: z.number().nullable(),
  lastRenewedAt: z.string().max(64).nullable(),
  lastError: z.strictObject({ code: z.string().max(64), message: z.string().max(2000) }).nullable(),
});

/** Facts the delegate learnt from a payload that main may store: an SSH key's type and fingerprint, a file's size. */
export const secretFactsSchema = z.record(z.string().max(64), z.union([z.string().max(256), z.number()]));
export type SecretFacts = z.infer<typeof secretFactsSchema>;

const storedVersionSchema = z.strictObject({ address: secretAddressSchema, encrypted: encryptedVersionSchema });

/** One line of a backup file: base64 of an AES-256-GCM blob under the export key. */
const backupLineSchema = base64.max(MAX_DELEGATE_MESSAGE_CHARS / 2);

export const backupHeaderSchema = z.strictObject({
  format: z.literal('strongroom-backup'),
  version: z.literal(1),
  createdAt: z.string().max(64),
  kdf: kdfParamsSchema,
  /** A known text sealed under the export key: tells a wrong passphrase from a damaged file. */
  check: base64.max(256),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

/** A record in a backup: non-secret metadata main supplies, plus each version's payload (inside the delegate only). */
const backupRecordInSchema = z.strictObject({
  meta: z.record(z.string(), z.unknown()),
  versions: z.array(storedVersionSchema.extend({ meta: z.record(z.string(), z.unknown()) })).max(10_000),
});


export const knownHostEntrySchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  keyType: z.string().max(64),
  fingerprint: z.string().max(128),
});
export type KnownHostEntry = z.infer<typeof knownHostEntrySchema>;

const auditHashSchema = z.strictObject({ seq: z.number().int().min(1), hash: base64.max(64) });

/** How a write to a secret store treats a name already taken there (see WriteMode in providers/provider.ts). */
const remoteModeSchema = z.enum(['create', 'overwrite']).default('create');
/**
 * A migration's concurrency C: its provider requests in flight at once per manager (docs/migration.md). The
 * delegate holds each manager's calls of the request to it; absent, the calls are not limited.
 */
const migrationConcurrencySchema = z.number().int().min(1).max(256);

/**
 * The fields of a `secrets` row that decide which value a consumer gets, as
 * the row MAC covers them (format.md 5.7). Limits are generous: an edited row
 * must still reach the MAC check and fail there, naming the secret.
 */
export const secretRowFieldsSchema = z.strictObject({
  id: z.string().min(1).max(256),
  name: z.string().max(4096),
  type: z.string().max(256),
  managerId: z.string().max(256),
  currentVersion: z.number().int(),
  reference: z.string().max(8192).nullable(),
  remoteName: z.string().max(4096).nullable(),
  scoped: z.boolean(),
  scopeToAccount: z.boolean(),
  scopeEntries: z
    .array(
      z.strictObject({
        applicationId: z.string().max(256).nullable(),
        environmentId: z.string().max(256).nullable(),
        environmentType: z.string().max(256).nullable(),
      }),
    )
    .max(10_000),
  /** The length of the audit trail when the row was written: a shorter trail was replaced. */
  auditSeq: z.number().int().min(0),
});
export type SecretRowFields = z.infer<typeof secretRowFieldsSchema>;

/**
 * What the delegate read in a private key typed into a form, before it is saved:
 * the key's type and SHA256 fingerprint (public facts), or which field to fix and why.
 */
export const keyInspectionSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), keyType: z.string().max(64), fingerprint: z.string().max(128) }),
  z.strictObject({ ok: z.literal(false), field: z.enum(['privateKey', 'keyPassphrase']), message: z.string().max(300) }),
]);
export type KeyInspection = z.infer<typeof keyInspectionSchema>;

export const delegateRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('hello') }),
  z.strictObject({ op: z.literal('keyring.create'), sealed: sealedMessageSchema }),
  z.strictObject({
    op: z.literal('keyring.unlock'),
    sealed: sealedMessageSchema,
    keyring: z.array(keyringEntrySchema).min(1).max(64),
    auditKey: wrappedByKeyringSchema,
  }),
  z.strictObject({ op: z.literal('keyring.status') }),
  z.strictObject({
    op: z.literal('secrets.encrypt'),
    sealed: sealedMessageSchema,
    binding: sealBindingSchema,
    targets: z
      .array(
        z.strictObject({
          address: secretAddressSchema,
          name: z.string().max(128).optional(),
          metadata: z.record(z.string(), z.unknown()),
          /** Secret stores: the name the value is written under (the store adds its base path or prefix). */
          remoteName: z.string().min(1).max(128).optional(),
          /** Secret stores: `create` (the default) refuses a name already taken remotely; `overwrite` adds a version. */
          remoteMode: remoteModeSchema,
        }),
      )
      .min(1)
      .max(MAX_BATCH),
    /** The manager every target belongs to; absent for the built-in store. */
    manager: managerContextSchema.optional(),
    /** KMS managers: the newest intermediate key main holds for the manager, or null. */
    intermediateKey: intermediateKeyRecordSchema.nullable().optional(),
  }),
  z.strictObject({
    op: z.literal('secrets.reencrypt'),
    items: z
      .array(z.strictObject({ from: storedVersionSchema, to: secretAddressSchema, remoteName: z.string().min(1).max(128).optional(), remoteMode: remoteModeSchema }))
      .min(1)
      .max(MAX_BATCH),
    /** Every manager the items name (sources and targets). */
    managers: z.array(managerContextSchema).max(64).default([]),
    /** Every intermediate key the sources name. */
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(MAX_BATCH).default([]),
    /** KMS targets: the newest intermediate key of the target manager, or null. */
    intermediateKey: intermediateKeyRecordSchema.nullable().optional(),
  }),
  z.strictObject({
    op: z.literal('secrets.reveal'),
    recipientPublicKey: base64.max(128),
    items: z.array(storedVersionSchema).min(1).max(MAX_BATCH),
    managers: z.array(managerContextSchema).max(64).default([]),
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(MAX_BATCH).default([]),
  }),
  /** `sealed`: [private key, passphrase ('' for none)], bound with `sealBindings.keyInspect()`. */
  z.strictObject({ op: z.literal('secrets.inspectKey'), sealed: sealedMessageSchema }),
  z.strictObject({ op: z.literal('backup.exportBegin'), sealed: sealedMessageSchema }),
  z.strictObject({
    op: z.literal('backup.exportChunk'),
    index: z.number().int().min(0),
    records: z.array(backupRecordInSchema).max(MAX_BATCH),
    managers: z.array(managerContextSchema).max(64).default([]),
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(10_000).default([]),
  }),
  z.strictObject({ op: z.literal('backup.exportEnd'), chunks: z.number().int().min(0) }),
  z.strictObject({ op: z.literal('backup.restoreBegin'), sealed: sealedMessageSchema, header: backupHeaderSchema }),
  z.strictObject({
    op: z.literal('backup.restoreChunk'),
    index: z.number().int().min(0),
    line: backupLineSchema,
    /** Managers that exist in this store: a value whose manager is not among them is restored into the built-in store. */
    managerIds: z.array(z.string().min(1).max(64)).max(1000).optional(),
  }),
  z.strictObject({ op: z.literal('backup.restoreEnd'), chunks: z.number().int().min(0), line: backupLineSchema }),
  z.strictObject({
    op: z.literal('connection.test'),
    /** Chosen by the requester, so it can match the live stage events to its test. */
    testId: z.string().uuid(),
    secret: storedVersionSchema.extend({ metadata: z.record(z.string(), z.unknown()) }),
    target: z.strictObject({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535).optional() }),
    knownHosts: z.array(knownHostEntrySchema).max(1000),
    acceptNewHostKey: z.boolean(),
    /** Deadline of each network stage, from the connectTimeoutSeconds setting or the run's --timeout. */
    stageTimeoutMs: z.number().int().min(1000).max(300_000),
    /** The managers and intermediate keys the secret's version needs, when it is not in the built-in store. */
    managers: z.array(managerContextSchema).max(4).default([]),
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(4).default([]),
    /** Vault-signed SSH certificates: the Vault manager whose SSH engine signs the key. */
    signer: managerContextSchema.optional(),
  }),
  z.strictObject({
    op: z.literal('manager.configure'),
    /** The configuration JSON, sealed with sealBindings.managerConfig(name). */
    sealed: sealedMessageSchema,
    name: z.string().max(64),
    managerId: z.string().min(1).max(64),
    kind: z.enum(externalManagerKinds),
    /** On update: the stored configuration, whose secret fields the new one may leave out to keep them. */
    previous: managerContextSchema.optional(),
  }),
  z.strictObject({ op: z.literal('manager.test'), manager: managerContextSchema }),
  z.strictObject({ op: z.literal('manager.fetchOptions'), kind: z.enum(optionFetchingKinds), sealed: sealedMessageSchema }),
  z.strictObject({ op: z.literal('manager.close'), managerId: z.string().min(1).max(64) }),
  /** Vault-signed SSH secrets at create: the manager's SSH engine and role can sign (read-only checks). */
  z.strictObject({ op: z.literal('manager.checkSshSigner'), manager: managerContextSchema, mount: z.string().min(1).max(255), role: z.string().min(1).max(255) }),
  /** Before a lock ends the delegate: every provider closed, AppRole tokens revoked in Vault. */
  z.strictObject({ op: z.literal('manager.closeAll') }),
  /** Opens providers ahead of use: after an unlock, so Vault token renewal runs while the store is unlocked. */
  z.strictObject({ op: z.literal('manager.open'), managers: z.array(managerContextSchema).max(1000) }),
  z.strictObject({ op: z.literal('manager.status') }),
  /** KMS key rotation (manager-kinds `rewrapsKeys`): the key version a wrap uses now, found by wrapping random bytes. */
  z.strictObject({ op: z.literal('manager.currentKeyVersion'), manager: managerContextSchema }),
  /** KMS key rotation: each intermediate key wrapped again under the key's current version (same id and count). */
  z.strictObject({ op: z.literal('manager.rewrap'), manager: managerContextSchema, records: z.array(intermediateKeyRecordSchema).min(1).max(100) }),
  z.strictObject({ op: z.literal('tools.probe') }),
  z.strictObject({ op: z.literal('secrets.checkReference'), manager: managerContextSchema, reference: z.string().min(1).max(2048) }),
  z.strictObject({
    op: z.literal('secrets.deleteRemote'),
    manager: managerContextSchema,
    reference: z.string().min(1).max(2048),
    /** The version ids Strongroom wrote at the reference: only these (or the whole secret, when they are all it holds) are deleted. */
    ownVersions: z.array(z.string().min(1).max(256)).max(100_000),
    /** Whether Strongroom created the remote secret, rather than adopting one that was there. */
    created: z.boolean(),
    concurrency: migrationConcurrencySchema.optional(),
  }),
  /** Master key rotation (docs/migration.md): a new keyring version under the same passphrase. */
  z.strictObject({ op: z.literal('keyring.rotate'), sealed: sealedMessageSchema, current: keyringEntrySchema, version: z.number().int().min(2) }),
  /** Data keys and manager configurations re-wrapped under the current keyring version. */
  z.strictObject({
    op: z.literal('keyring.rewrap'),
    dataKeys: z.array(z.strictObject({ address: secretAddressSchema, wrapped: wrappedByKeyringSchema })).max(MAX_BATCH),
    configs: z.array(z.strictObject({ managerId: z.string().min(1).max(64), kind: z.enum(externalManagerKinds), config: encryptedConfigSchema })).max(MAX_BATCH),
  }),
  /** Migration (docs/migration.md): the byte size of each stored value, read in here; main learns sizes only. */
  z.strictObject({
    op: z.literal('migration.measure'),
    items: z.array(storedVersionSchema).min(1).max(MAX_BATCH),
    managers: z.array(managerContextSchema).max(64).default([]),
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(MAX_BATCH).default([]),
  }),
  /** Which of these names already hold a value in the secret store. */
  z.strictObject({
    op: z.literal('migration.probe'),
    manager: managerContextSchema,
    names: z.array(z.string().min(1).max(512)).min(1).max(MAX_BATCH),
    concurrency: migrationConcurrencySchema.optional(),
  }),
  /**
   * Copies one secret's versions, in order, out of their manager: `target` ones into `target` (the built-in store
   * when absent), `local` ones (history that stays readable here) re-encrypted by the keyring. The values never leave.
   */
  z.strictObject({
    op: z.literal('migration.write'),
    items: z.array(z.strictObject({ from: storedVersionSchema, to: secretAddressSchema, placement: z.enum(['target', 'local']) })).min(1).max(MAX_BATCH),
    remoteName: z.string().min(1).max(512).optional(),
    /** The run already owns the target name (its earlier copy is journaled): write a new version there. */
    overwrite: z.boolean().default(false),
    /**
     * An earlier attempt journaled a create it may not have finished (a kill, a lost answer): if the name holds a
     * value, it is this run's only when it equals one of the secret's own versions; it is then claimed, not written again.
     */
    reclaim: z.boolean().default(false),
    target: managerContextSchema.optional(),
    managers: z.array(managerContextSchema).max(64).default([]),
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(MAX_BATCH).default([]),
    intermediateKey: intermediateKeyRecordSchema.nullable().optional(),
    /** Also read each copy back once written and compare it with its source (as migration.verify does), in the same request. */
    verify: z.boolean().default(false),
    /** Before a create, check the target name holds nothing (the run's name probe), while the source is read. */
    probe: z.boolean().default(false),
    concurrency: migrationConcurrencySchema.optional(),
  }),
  /** Reads each written copy back and compares it with its source, byte for byte. */
  z.strictObject({
    op: z.literal('migration.verify'),
    items: z.array(z.strictObject({ from: storedVersionSchema, written: storedVersionSchema })).min(1).max(MAX_BATCH),
    managers: z.array(managerContextSchema).max(64).default([]),
    intermediateKeys: z.array(intermediateKeyRecordSchema).max(MAX_BATCH).default([]),
    concurrency: migrationConcurrencySchema.optional(),
  }),
  z.strictObject({ op: z.literal('audit.mac'), entries: z.array(auditHashSchema).min(1).max(10_000) }),
  z.strictObject({ op: z.literal('rows.mac'), rows: z.array(secretRowFieldsSchema).min(1).max(1000) }),
  z.strictObject({
    op: z.literal('audit.verify'),
    entries: z.array(auditHashSchema.extend({ mac: base64.max(64) })).max(10_000),
    head: z.strictObject({ seq: z.number().int().min(0), hash: base64.max(64), mac: base64.max(64) }).nullable(),
  }),
]);
export type DelegateRequest = z.infer<typeof delegateRequestSchema>;
/** A request as a sender writes it: fields with defaults may be left out. */
export type DelegateRequestInput = z.input<typeof delegateRequestSchema>;
export type DelegateOp = DelegateRequest['op'];

/** The result schema of every operation. */
export const delegateResultSchemas = {
  hello: z.strictObject({ publicKey: base64.max(128), suite: z.string(), pid: z.number().int() }),
  'keyring.create': z.strictObject({ keyring: keyringEntrySchema, auditKey: wrappedByKeyringSchema }),
  /** `raisedKdf`: versions re-wrapped under today's KDF defaults because theirs were lower; main replaces them. */
  'keyring.unlock': z.strictObject({ keyringVersion: z.number().int(), raisedKdf: z.array(keyringEntrySchema).max(64) }),
  /** Whether this process holds keys: main reconciles its own view with it. */
  'keyring.status': z.strictObject({ unlocked: z.boolean() }),
  /** `intermediateKeys`: every intermediate key created or used (main upserts them by id). */
  'secrets.encrypt': z.strictObject({
    versions: z.array(encryptedVersionSchema.extend({ facts: secretFactsSchema })),
    intermediateKeys: z.array(intermediateKeyRecordSchema).default([]),
  }),
  'secrets.reencrypt': z.strictObject({ versions: z.array(encryptedVersionSchema), intermediateKeys: z.array(intermediateKeyRecordSchema).default([]) }),
  'secrets.reveal': z.strictObject({ sealed: sealedMessageSchema }),
  'secrets.inspectKey': keyInspectionSchema,
  'backup.exportBegin': z.strictObject({ header: backupHeaderSchema }),
  'backup.exportChunk': z.strictObject({ line: backupLineSchema }),
  'backup.exportEnd': z.strictObject({ line: backupLineSchema }),
  'backup.restoreBegin': z.strictObject({}),
  /** Each record's versions re-encrypted under this store's keyring, at the same addresses. */
  'backup.restoreChunk': z.strictObject({
    records: z.array(
      z.strictObject({
        meta: z.record(z.string(), z.unknown()),
        versions: z.array(z.strictObject({ address: secretAddressSchema, encrypted: encryptedVersionSchema, meta: z.record(z.string(), z.unknown()) })),
      }),
    ),
  }),
  'backup.restoreEnd': z.strictObject({}),
  /** The report, and the host key seen (with its public key) so main can store it once the user trusts it. */
  'connection.test': z.strictObject({
    report: connectionReportSchema,
    seenHostKey: z.strictObject({ keyType: z.string().max(64), fingerprint: z.string().max(128), publicKey: z.string().max(16_384) }).nullable(),
  }),
  /** `macs[i]` authenticates `entries[i]`; `headMac` authenticates the last entry as the head of the chain. */
  'audit.mac': z.strictObject({ macs: z.array(base64.max(64)), headMac: base64.max(64) }),
  'rows.mac': z.strictObject({ macs: z.array(base64.max(64)) }),
  'audit.verify': z.strictObject({
    firstBadSeq: z.number().int().nullable(),
    headValid: z.boolean(),
  }),
  /** The configuration encrypted for main to store, and its non-secret fields. */
  'manager.configure': z.strictObject({
    config: encryptedConfigSchema,
    publicConfig: z.record(z.string(), z.unknown()),
    /** Whether the configuration itself asks for read-only (Vault's `readOnly`). */
    readOnly: z.boolean(),
  }),
  'manager.test': z.strictObject({ result: providerTestResultWireSchema, renewal: renewalStatusWireSchema.nullable() }),
  'manager.fetchOptions': z.union([
    z.strictObject({
      kind: z.literal('vault'),
      mounts: z
        .array(z.strictObject({ path: z.string().max(512), type: z.string().max(64), version: z.union([z.literal(1), z.literal(2)]).nullable(), description: z.string().max(2000) }))
        .max(1000),
    }),
    z.strictObject({
      kind: z.literal('azure-key-vault'),
      vaults: z.array(z.strictObject({ name: z.string().max(128), resourceGroup: z.string().max(256).nullable(), location: z.string().max(128).nullable() })).max(5000),
    }),
  ]),
  'manager.close': z.strictObject({}),
  'manager.closeAll': z.strictObject({}),
  'manager.checkSshSigner': z.strictObject({}),
  /** The managers that could not be opened (their configuration no longer opens), by id. */
  'manager.open': z.strictObject({ failed: z.array(z.string()) }),
  /** Vault managers the delegate holds open, with their token renewal loops. */
  'tools.probe': z.strictObject({ present: optionalToolPresenceSchema }),
  'manager.currentKeyVersion': z.strictObject({ keyVersion: z.string().min(1).max(512) }),
  'manager.rewrap': z.strictObject({ records: z.array(intermediateKeyRecordSchema) }),
  'manager.status': z.strictObject({ renewal: z.array(z.strictObject({ managerId: z.string(), status: renewalStatusWireSchema })) }),
  'secrets.checkReference': z.strictObject({ versionId: z.string().max(256) }),
  'secrets.deleteRemote': z.strictObject({ removed: z.enum(['secret', 'versions', 'nothing']), detail: z.string().max(2000) }),
  'keyring.rotate': z.strictObject({ keyring: keyringEntrySchema, auditKey: wrappedByKeyringSchema }),
  'keyring.rewrap': z.strictObject({ dataKeys: z.array(wrappedByKeyringSchema), configs: z.array(encryptedConfigSchema) }),
  'migration.measure': z.strictObject({ sizes: z.array(z.number().int().min(0)) }),
  'migration.probe': z.strictObject({ taken: z.array(z.string().max(512)) }),
  'migration.write': z.strictObject({
    versions: z.array(encryptedVersionSchema),
    intermediateKeys: z.array(intermediateKeyRecordSchema).default([]),
    /** reclaim: the value an interrupted attempt left at the name, found equal to one of the secret's versions. */
    claimed: z.array(z.strictObject({ reference: z.string().max(4096), versionId: z.string().max(256).nullable() })).default([]),
    /** verify: whether each copy read back equals its source. */
    equal: z.array(z.boolean()).optional(),
  }),
  'migration.verify': z.strictObject({ equal: z.array(z.boolean()) }),
} satisfies Record<DelegateOp, z.ZodType>;
export type DelegateResult<Op extends DelegateOp> = z.infer<(typeof delegateResultSchemas)[Op]>;

export const delegateErrorCodes = [
  'BAD_REQUEST',
  'LOCKED',
  'WRONG_PASSPHRASE',
  'WEAK_PASSPHRASE',
  'INVALID_SECRET',
  'SEAL_INVALID',
  'DECRYPT_FAILED',
  'PROVIDER',
  /** A manager kind described without a provider in this delegate. */
  'KIND_UNAVAILABLE',
  'INTERNAL',
] as const;
export type DelegateErrorCode = (typeof delegateErrorCodes)[number];

export const providerFailureSchema = z.strictObject({
  code: z.enum(providerErrorCodes),
  /** PERMISSION_DENIED: the permission the provider named. */
  permission: z.string().max(512).optional(),
  retryAfterMs: z.number().int().min(0).optional(),
});
export type ProviderFailure = z.infer<typeof providerFailureSchema>;

export const delegateErrorSchema = z.strictObject({
  code: z.enum(delegateErrorCodes),
  message: z.string().max(2000),
  /** INVALID_SECRET: which secret field is wrong, without its value. */
  issues: z.array(z.strictObject({ path: z.string().max(64), message: z.string().max(300) })).max(20).optional(),
  /** PROVIDER: what the secret manager said, typed. The message is already sanitized. */
  provider: providerFailureSchema.optional(),
  /** A batch write to a secret store that failed part way: the names written and not removed again, left for cleanup. */
  orphans: z.array(z.string().max(128)).max(MAX_BATCH).optional(),
});
export type DelegateError = z.infer<typeof delegateErrorSchema>;

/** The envelope around every request. `id` pairs a reply with its request. */
export const delegateEnvelopeSchema = z.strictObject({ id: z.number().int().min(1), request: z.unknown() });

export const delegateReplySchema = z.union([
  z.strictObject({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ id: z.number().int(), ok: z.literal(false), error: delegateErrorSchema }),
]);
export type DelegateReply = z.infer<typeof delegateReplySchema>;

/** Sent by the delegate unprompted while a long operation runs: a connection test's finished stage. */
export const delegateEventSchema = z.strictObject({
  event: z.literal('connection.stage'),
  testId: z.string().uuid(),
  stage: reportStageSchema,
});
export type DelegateEvent = z.infer<typeof delegateEventSchema>;

/** The first message the delegate sends, unprompted, once it is ready (see delegate-start-protocol.ts). */
export { delegateReadySchema } from './delegate-start-protocol.js';

export { MIN_PASSPHRASE_LENGTH } from './passphrase-rules.js';
