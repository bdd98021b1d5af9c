/**
 * The session socket: where a CLI finds an unlocked core for its data folder
 * (the session agent, or the app), and the frames both sides exchange. One
 * JSON object per line. Values inside are sealed exactly as on the bridge:
 * to the delegate on the way in, to the CLI's ephemeral key on the way out.
 *
 * Who may connect: the socket lives in the 0700 data folder and is 0600, and
 * a client must first present the token the server wrote to a 0600 file
 * beside it, so only the user who owns the folder (or root) gets in. On
 * Linux the server also checks the connection's peer credentials (see
 * peer-credentials.ts): the process that says hello must be the one at the
 * other end, running as the session's user.
 */
import { createHash } from 'node:crypto';
import { join, win32 } from 'node:path';
// zod's tree-shakable build: every CLI command through a session loads this module, and the
// full build alone costs a script more than the command's own work (see `npm run bench -- session`).
import * as z from 'zod/mini';

/** How long `strongroom unlock`'s session stays open unused, unless --timeout says otherwise. */
export const DEFAULT_SESSION_TIMEOUT = '15m';
export const SESSION_SOCKET_FILE = 'session.sock';
export const SESSION_TOKEN_FILE = 'session.token';
/** Above the router's 2 MiB request cap, so oversized requests get its typed error. */
export const MAX_FRAME_CHARS = 4 * 1024 * 1024;

/**
 * Where the session listens: `session.sock` in the data folder, or on Windows
 * (where Node's net module listens on named pipes, not Unix sockets) a pipe named after the folder:
 * `\\.\pipe\strongroom-` and 32 hex digits of the SHA-256 of its resolved,
 * lowercased path, since Windows paths ignore case.
 */
export function sessionSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\strongroom-${createHash('sha256').update(win32.resolve(dataDir).toLowerCase()).digest('hex').slice(0, 32)}`;
  return join(dataDir, SESSION_SOCKET_FILE);
}

export const sessionTokenPath = (dataDir: string) => join(dataDir, SESSION_TOKEN_FILE);

export const sessionRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hello'), id: z.int(), token: z.string().check(z.length(64)), pid: z.int().check(z.positive()) }),
  z.strictObject({ kind: z.literal('call'), id: z.int(), channel: z.string().check(z.maxLength(100)), request: z.unknown() }),
  z.strictObject({ kind: z.literal('status'), id: z.int() }),
  z.strictObject({ kind: z.literal('lock'), id: z.int() }),
]);
export type SessionRequest = z.infer<typeof sessionRequestSchema>;

export const sessionStatusSchema = z.strictObject({
  /** Who serves the socket: a session agent started by `strongroom unlock`, or the app. */
  server: z.enum(['agent', 'app']),
  pid: z.int(),
  /** Null when the app serves the socket: its own idle lock decides, and locking it closes the session. */
  idleTimeoutMs: z.nullable(z.int()),
  expiresAt: z.nullable(z.string()),
});
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

/**
 * The part of an `app.status` reply that `strongroom status` and `unlock` read through a session: the last
 * store check (storeCheckSchema in the contract, which this module does not load). Extra fields pass.
 */
export const sessionStoreCheckSchema = z.looseObject({
  storeCheck: z.nullable(z.object({ at: z.string(), ok: z.boolean(), problems: z.array(z.string()) })),
});

/**
 * A `keys.status` reply as `strongroom status` reads it through a session (keyWorkSchema in
 * src-shared/key-work-contract.ts, which this module does not load). Extra fields pass.
 */
export const sessionKeyWorkSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      work: z.enum(['keyring.rotate', 'managers.rewrap']),
      managerId: z.nullable(z.string()),
      managerName: z.nullable(z.string()),
      state: z.enum(['running', 'finished', 'failed', 'waiting']),
      resumed: z.boolean(),
      message: z.string(),
      at: z.nullable(z.string()),
      progress: z.nullable(z.object({ done: z.int(), total: z.int() })),
    }),
  ),
});

/**
 * Why a session stopped. idle: its timeout passed; lock: a client asked; locked: its core locked
 * itself (the app's Lock, an idle lock); sleep: the machine slept; signal: the process was told to end.
 */
export const sessionStopReasonSchema = z.enum(['idle', 'lock', 'locked', 'sleep', 'signal']);
export type SessionStopReason = z.infer<typeof sessionStopReasonSchema>;

/**
 * The last frame a stopping server sends each connection that said hello, as the `event` of a reply frame:
 * why it stopped, so the app linked to an agent knows whether to lock too (see app-session.ts).
 */
export const sessionStoppedEventSchema = z.strictObject({ type: z.literal('session.stopped'), reason: sessionStopReasonSchema });
export type SessionStoppedEvent = z.infer<typeof sessionStoppedEventSchema>;

export const sessionReplySchema = z.union([
  z.strictObject({ id: z.int(), ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ id: z.int(), ok: z.literal(false), error: z.looseObject({ code: z.string(), message: z.string() }) }),
  z.strictObject({ event: z.unknown() }),
]);
export type SessionReply = z.infer<typeof sessionReplySchema>;

/** Splits a stream into lines, refusing a line longer than the cap. */
export function lineReader(onLine: (line: string) => void, onTooLong: () => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_FRAME_CHARS) {
      pending = '';
      onTooLong();
    }
  };
}
