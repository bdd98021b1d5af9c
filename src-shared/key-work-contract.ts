/**
 * The lasting state of key work (docs/migration.md): a master key rotation or
 * a KMS re-wrap, whether asked for or resumed after an unlock. `keys.resumed`
 * announces a resume once; `keys.status` says, for as long as it matters,
 * what runs, how the last run ended and why, and what an interrupted run
 * waits for. Answered while locked too: what waits for an unlock is read from
 * the store's journal rows, which need no key. Spread into `channels` by
 * contract.ts.
 */
import { z } from 'zod';

export const keyWorkKinds = ['keyring.rotate', 'managers.rewrap'] as const;
export type KeyWorkKind = (typeof keyWorkKinds)[number];

/**
 * `running` now in this process; `finished` or `failed` (the message says why
 * and what to do); `waiting`: interrupted, its journal row still set, so it
 * finishes at the next unlock in the app or a session.
 */
export const keyWorkStates = ['running', 'finished', 'failed', 'waiting'] as const;
export type KeyWorkState = (typeof keyWorkStates)[number];

export const keyWorkSchema = z.object({
  work: z.enum(keyWorkKinds),
  /** The manager a re-wrap is for; null for the master key rotation. */
  managerId: z.string().nullable(),
  managerName: z.string().nullable(),
  state: z.enum(keyWorkStates),
  /** Continued from an interrupted run rather than asked for in this process. */
  resumed: z.boolean(),
  message: z.string(),
  /** When it entered this state (ISO 8601); null when the store does not say (an interrupted rotation's journal row has no time). */
  at: z.string().nullable(),
  /** Keys re-wrapped of those left when the run started; null until the first figure, and once it ended. */
  progress: z.object({ done: z.number().int().min(0), total: z.number().int().min(0) }).nullable(),
});
export type KeyWork = z.infer<typeof keyWorkSchema>;

export const keyWorkChannels = {
  'keys.status': { request: z.strictObject({}), result: z.object({ items: z.array(keyWorkSchema) }) },
};
