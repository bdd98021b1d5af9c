/**
 * The two frames of the delegate's start, before its request handlers have
 * loaded:
 *
 * - `ready`, the delegate's first message, names its sealing key, so whoever
 *   forked it can seal to it at once;
 * - `prepareUnlock`, from the process that forked it, carries the sealed
 *   passphrase and the keyring's KDF parameters, so the key derivation (most
 *   of an unlock) starts while the rest of the delegate and its owner's core
 *   are still loading. It has no id and gets no reply. The unlock that follows
 *   through the normal protocol, with all of main's checks, finds the derived
 *   key ready, or derives it itself (see src-delegate/prepared-unlocks.ts).
 *
 * zod/mini: both sides read these before loading the full contract, whose
 * schemas take longer to build than what this saves.
 */
import * as z from 'zod/mini';

/** Largest message either side accepts, in UTF-16 code units of its JSON text. */
export const MAX_DELEGATE_MESSAGE_CHARS = 64 * 1024 * 1024;

/** The bounds of the stored scrypt parameters (kdfParamsSchema in delegate-protocol.ts uses them too). */
export const KDF_BOUNDS = { N: { min: 2 ** 14, max: 2 ** 22 }, r: { min: 8, max: 32 }, p: { min: 1, max: 16 } } as const;
/** A derivation holds N·r·128 bytes (128 MiB at today's defaults): an unlock prepares its oldest versions only. */
export const MAX_PREPARED_KDFS = 4;

const base64 = (max: number) => z.string().check(z.maxLength(max), z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64'));
const bounded = (bounds: { min: number; max: number }) => z.int().check(z.gte(bounds.min), z.lte(bounds.max));

export const delegateReadySchema = z.strictObject({ ready: z.literal(true), pid: z.int(), publicKey: base64(256) });
export type DelegateReady = z.infer<typeof delegateReadySchema>;

/** One keyring version's stored scrypt parameters (kdfParamsSchema in the full contract). */
export const preparedKdfSchema = z.strictObject({
  algorithm: z.literal('scrypt'),
  N: bounded(KDF_BOUNDS.N),
  r: bounded(KDF_BOUNDS.r),
  p: bounded(KDF_BOUNDS.p),
  salt: base64(64),
});
export type PreparedKdf = z.infer<typeof preparedKdfSchema>;

export const prepareUnlockFrameSchema = z.strictObject({
  prepareUnlock: z.strictObject({
    /** The passphrase, sealed to the `ready` key for the vault.unlock binding. */
    sealed: z.strictObject({ enc: base64(256), ct: base64(64 * 1024) }),
    kdf: z.array(preparedKdfSchema).check(z.minLength(1), z.maxLength(MAX_PREPARED_KDFS)),
  }),
});
export type PrepareUnlockFrame = z.infer<typeof prepareUnlockFrameSchema>;
