/**
 * What the CLI and the session agent it starts say to each other: the passphrase, sealed to the
 * agent's delegate, one way; the delegate's key and then the outcome, the other. zod/mini, like the
 * session frames: `unlock` is a CLI command, and the full zod would be loaded for these alone.
 */
import * as z from 'zod/mini';
import { MAX_FRAME_CHARS, sessionStatusSchema } from '../core/session/session-protocol.js';

const base64 = (max: number) => z.string().check(z.maxLength(max), z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64'));

/** The same shape as the contract's sealed message; the core checks it again when it unlocks with it. */
export const agentHandshakeSchema = z.strictObject({ sealedPassphrase: z.strictObject({ enc: base64(256), ct: base64(MAX_FRAME_CHARS) }) });

const agentFailureSchema = z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string(), message: z.string() }) });

export const agentAnnouncementSchema = z.union([z.strictObject({ delegatePublicKey: z.string() }), agentFailureSchema]);

export const agentOutcomeSchema = z.union([z.strictObject({ ok: z.literal(true), status: sessionStatusSchema }), agentFailureSchema]);
