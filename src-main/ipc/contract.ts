/**
 * The renderer → main contract. Main serves it, so main owns it.
 *
 * `channels` maps every channel to the zod schemas of its request and result.
 * The router parses every request with its schema where it arrives; nothing
 * outside this map crosses the boundary. The renderer imports this file and
 * nothing else from main or the delegate; the sealing helpers it needs are
 * re-exported here from the delegate's protocol, which defines that format.
 */
import { z } from 'zod';
import { MAX_BATCH, sealedMessageSchema } from '../../src-delegate/protocol.js';

export {
  MIN_PASSPHRASE_LENGTH,
  SEAL_SUITE,
  createSealRecipient,
  sealBindings,
  sealValues,
} from '../../src-delegate/protocol.js';
export type { SealRecipient, SealedMessage } from '../../src-delegate/protocol.js';

/** Largest request accepted over either transport, in characters of JSON. */
export const MAX_REQUEST_CHARS = 2 * 1024 * 1024;
/** Largest text secret value, in characters. */
export const MAX_TEXT_VALUE_CHARS = 64 * 1024;

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
export const secretNameSchema = z
  .string()
  .min(1, 'Name is required')
  .max(128, 'Name is longer than 128 characters')
  .regex(SECRET_NAME_PATTERN, 'Use only letters, digits, - and _');
export const descriptionSchema = z.string().max(1000, 'Description is longer than 1000 characters');

const idSchema = z.string().uuid();
const publicKeySchema = z.string().max(128).regex(/^[A-Za-z0-9+/]+={0,2}$/);

export const secretSummarySchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  type: z.literal('text'),
  managerId: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SecretSummary = z.infer<typeof secretSummarySchema>;

export const auditActions = [
  'vault.create',
  'vault.unlock',
  'vault.lock',
  'secret.create',
  'secret.reveal',
  'secret.copy',
  'secret.update',
  'secret.delete',
  'audit.verify',
  'settings.update',
] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.enum(auditActions),
  target: z.string().nullable(),
  outcome: z.enum(['success', 'failure']),
  detail: z.string().nullable(),
  sealed: z.boolean(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const settingsSchema = z.object({
  autoLockMinutes: z.number().int().min(1).max(24 * 60),
});
export type Settings = z.infer<typeof settingsSchema>;

export const appStatusSchema = z.object({
  initialized: z.boolean(),
  unlocked: z.boolean(),
  delegatePublicKey: z.string().nullable(),
  sealSuite: z.string(),
  settings: settingsSchema,
  unlockRetryAfterMs: z.number().int().min(0),
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
  'settings.update': { request: settingsSchema.strict(), result: settingsSchema },
  'secrets.list': {
    request: z.strictObject({
      query: z.string().max(128).default(''),
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0),
    }),
    result: z.object({ total: z.number().int(), items: z.array(secretSummarySchema) }),
  },
  'secrets.create': {
    request: z.strictObject({
      name: secretNameSchema,
      description: descriptionSchema.optional(),
      sealedValue: sealedMessageSchema,
    }),
    result: secretSummarySchema,
  },
  'secrets.createMany': {
    request: z.strictObject({
      items: z.array(z.strictObject({ name: secretNameSchema, description: descriptionSchema.optional() })).min(1).max(MAX_BATCH),
      sealedValues: sealedMessageSchema,
    }),
    result: z.object({ items: z.array(secretSummarySchema) }),
  },
  'secrets.reveal': {
    request: z.strictObject({ id: idSchema, recipientPublicKey: publicKeySchema, purpose: z.enum(['reveal', 'copy']) }),
    result: z.object({ sealed: sealedMessageSchema }),
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
      sealedValue: sealedMessageSchema.optional(),
    }),
    result: secretSummarySchema,
  },
  'secrets.delete': { request: z.strictObject({ id: idSchema }), result: empty },
  'audit.list': {
    request: z.strictObject({
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0),
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
    }),
  },
} as const satisfies Record<string, { request: z.ZodType; result: z.ZodType }>;

export type Channel = keyof typeof channels;
export const channelNames = Object.keys(channels) as Channel[];
export type ChannelRequest<C extends Channel> = z.input<(typeof channels)[C]['request']>;
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
  'SEAL_INVALID',
  'TAMPERED',
  'DELEGATE_UNAVAILABLE',
  'DELEGATE_TIMEOUT',
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
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type IpcResult<C extends Channel> = { ok: true; value: ChannelResult<C> } | { ok: false; error: IpcError };

/** Pushed from main to the renderer. */
export const appEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('vault.locked'), reason: z.enum(['user', 'idle', 'delegate-restarted']) }),
  z.object({ type: z.literal('vault.unlocked') }),
  z.object({ type: z.literal('secrets.changed') }),
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

/** A frame the renderer sends over the bridge's WebSocket. */
export const bridgeRequestFrameSchema = z.strictObject({
  id: z.number().int().min(1),
  channel: z.string().max(64),
  request: z.unknown(),
});
/** A frame main sends over the bridge's WebSocket: a reply to one request, or an event. */
export type BridgeReplyFrame = { id: number; result: IpcResult<Channel> } | { event: AppEvent };
