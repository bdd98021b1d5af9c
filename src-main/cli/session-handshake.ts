/** What the CLI sends the session agent it started: the passphrase, sealed to the agent's delegate. */
import { z } from 'zod';
import { sealedMessageSchema } from '../../src-shared/delegate-protocol.js';
import { sessionStatusSchema } from '../core/session/session-protocol.js';

export const agentHandshakeSchema = z.strictObject({ sealedPassphrase: sealedMessageSchema });

export const agentAnnouncementSchema = z.union([
  z.strictObject({ delegatePublicKey: z.string() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string(), message: z.string() }) }),
]);

export const agentOutcomeSchema = z.union([
  z.strictObject({ ok: z.literal(true), status: sessionStatusSchema }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string(), message: z.string() }) }),
]);
