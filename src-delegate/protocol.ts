/**
 * The main → delegate contract. The delegate serves it, so it owns it.
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
  sealBindings,
  sealValues,
  toBase64,
} from './sealed-box.js';
export type { SealBinding, SealRecipient, SealedMessage } from './sealed-box.js';
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
import { connectionErrorCodes } from './connection/report.js';

/** Largest message either side accepts, in UTF-16 code units of its JSON text. */
export const MAX_DELEGATE_MESSAGE_CHARS = 64 * 1024 * 1024;
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
  N: z.number().int().min(2 ** 14).max(2 ** 22),
  r: z.number().int().min(8).max(32),
  p: z.number().int().min(1).max(16),
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

export const encryptedVersionSchema = z.strictObject({
  ciphertext: base64,
  wrappedKey: base64.max(256),
  keyringVersion: z.number().int().min(1),
});
export type EncryptedVersion = z.infer<typeof encryptedVersionSchema>;

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

/** The staged report of a connection test (connection/report.ts), as it crosses to main. Every string in it is already masked. */
const stageDetailSchema = z.union([z.string().max(8192), z.number(), z.boolean(), z.null(), z.array(z.string().max(8192)).max(64)]);
export const reportStageSchema = z.strictObject({
  stage: z.enum(['dns', 'tcp', 'tls', 'handshake', 'auth', 'probe', 'kerberos']),
  status: z.enum(['ok', 'failed', 'skipped']),
  durationMs: z.number(),
  details: z.record(z.string().max(64), stageDetailSchema),
});
export const connectionReportSchema = z.strictObject({
  kind: z.enum(['ssh', 'ssh-kerberos', 'ssh-vault-certificate', 'winrm']),
  host: z.string().max(253),
  port: z.number().int(),
  ok: z.boolean(),
  startedAt: z.string().max(64),
  totalMs: z.number(),
  stages: z.array(reportStageSchema).max(32),
  error: z
    .strictObject({
      code: z.enum(connectionErrorCodes),
      message: z.string().max(4000),
      details: z.record(z.string().max(64), stageDetailSchema).optional(),
    })
    .nullable(),
});
export type ConnectionReportWire = z.infer<typeof connectionReportSchema>;
export type ReportStageWire = z.infer<typeof reportStageSchema>;

export const knownHostEntrySchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  keyType: z.string().max(64),
  fingerprint: z.string().max(128),
});
export type KnownHostEntry = z.infer<typeof knownHostEntrySchema>;

const auditHashSchema = z.strictObject({ seq: z.number().int().min(1), hash: base64.max(64) });

export const delegateRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('hello') }),
  z.strictObject({ op: z.literal('keyring.create'), sealed: sealedMessageSchema }),
  z.strictObject({
    op: z.literal('keyring.unlock'),
    sealed: sealedMessageSchema,
    keyring: z.array(keyringEntrySchema).min(1).max(64),
    auditKey: wrappedByKeyringSchema,
  }),
  z.strictObject({ op: z.literal('keyring.lock') }),
  z.strictObject({
    op: z.literal('secrets.encrypt'),
    sealed: sealedMessageSchema,
    binding: sealBindingSchema,
    targets: z
      .array(z.strictObject({ address: secretAddressSchema, name: z.string().max(128).optional(), metadata: z.record(z.string(), z.unknown()) }))
      .min(1)
      .max(MAX_BATCH),
  }),
  z.strictObject({
    op: z.literal('secrets.reencrypt'),
    items: z.array(z.strictObject({ from: storedVersionSchema, to: secretAddressSchema })).min(1).max(MAX_BATCH),
  }),
  z.strictObject({
    op: z.literal('secrets.reveal'),
    recipientPublicKey: base64.max(128),
    items: z.array(storedVersionSchema).min(1).max(MAX_BATCH),
  }),
  z.strictObject({ op: z.literal('backup.exportBegin'), sealed: sealedMessageSchema }),
  z.strictObject({ op: z.literal('backup.exportChunk'), index: z.number().int().min(0), records: z.array(backupRecordInSchema).max(MAX_BATCH) }),
  z.strictObject({ op: z.literal('backup.exportEnd'), chunks: z.number().int().min(0) }),
  z.strictObject({ op: z.literal('backup.restoreBegin'), sealed: sealedMessageSchema, header: backupHeaderSchema }),
  z.strictObject({ op: z.literal('backup.restoreChunk'), index: z.number().int().min(0), line: backupLineSchema }),
  z.strictObject({ op: z.literal('backup.restoreEnd'), chunks: z.number().int().min(0), line: backupLineSchema }),
  z.strictObject({
    op: z.literal('connection.test'),
    /** Chosen by the requester, so it can match the live stage events to its test. */
    testId: z.string().uuid(),
    secret: storedVersionSchema.extend({ metadata: z.record(z.string(), z.unknown()) }),
    target: z.strictObject({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535).optional() }),
    knownHosts: z.array(knownHostEntrySchema).max(1000),
    acceptNewHostKey: z.boolean(),
  }),
  z.strictObject({ op: z.literal('audit.mac'), entries: z.array(auditHashSchema).min(1).max(10_000) }),
  z.strictObject({
    op: z.literal('audit.verify'),
    entries: z.array(auditHashSchema.extend({ mac: base64.max(64) })).max(10_000),
    head: z.strictObject({ seq: z.number().int().min(0), hash: base64.max(64), mac: base64.max(64) }).nullable(),
  }),
]);
export type DelegateRequest = z.infer<typeof delegateRequestSchema>;
export type DelegateOp = DelegateRequest['op'];

/** The result schema of every operation. */
export const delegateResultSchemas = {
  hello: z.strictObject({ publicKey: base64.max(128), suite: z.string(), pid: z.number().int() }),
  'keyring.create': z.strictObject({ keyring: keyringEntrySchema, auditKey: wrappedByKeyringSchema }),
  'keyring.unlock': z.strictObject({ keyringVersion: z.number().int() }),
  'keyring.lock': z.strictObject({}),
  'secrets.encrypt': z.strictObject({ versions: z.array(encryptedVersionSchema.extend({ facts: secretFactsSchema })) }),
  'secrets.reencrypt': z.strictObject({ versions: z.array(encryptedVersionSchema) }),
  'secrets.reveal': z.strictObject({ sealed: sealedMessageSchema }),
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
  'audit.verify': z.strictObject({
    firstBadSeq: z.number().int().nullable(),
    headValid: z.boolean(),
  }),
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
  'INTERNAL',
] as const;
export type DelegateErrorCode = (typeof delegateErrorCodes)[number];

export const delegateErrorSchema = z.strictObject({
  code: z.enum(delegateErrorCodes),
  message: z.string().max(2000),
  /** INVALID_SECRET: which secret field is wrong, without its value. */
  issues: z.array(z.strictObject({ path: z.string().max(64), message: z.string().max(300) })).max(20).optional(),
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

/** The first message the delegate sends, unprompted, once it is ready. */
export const delegateReadySchema = z.strictObject({ ready: z.literal(true), pid: z.number().int() });

/** Minimum passphrase length; the delegate enforces it because only it sees the passphrase. */
export const MIN_PASSPHRASE_LENGTH = 10;
