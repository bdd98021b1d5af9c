/**
 * Serves an unlocked core on the data folder's session socket, for CLIs:
 * each request runs through the same router as the app's, as `cli:<pid>`
 * (the pid the peer check verified on Linux).
 * Stops serving (and locks) after the idle timeout (counted from the end of
 * the last request, never while one is served), on `lock`, when the
 * machine sleeps (sleep-watch.ts; the desktop app's powerMonitor also locks), and
 * whenever the core locks for any other reason, so locking either side locks both.
 * Before it closes, it tells each greeted connection why it stopped (a
 * `session.stopped` event), which the app linked to an agent acts on.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AppCore } from '../app-core-types.js';
import { systemClock, type Clock } from '../clock.js';
import { IdleTimer } from '../idle-timer.js';
import { cliActor } from '../request-actor.js';
import { progressOperations } from '../../../src-shared/operation-progress.js';
import { peerOf } from './peer-credentials.js';
import { DEFAULT_SLEEP_WATCH, systemSleepClocks, watchForSleep, type SleepWatchClocks } from './sleep-watch.js';
import {
  lineReader,
  sessionRequestSchema,
  sessionSocketPath,
  sessionTokenPath,
  type SessionReply,
  type SessionStatus,
  type SessionStopReason,
  type SessionStoppedEvent,
} from './session-protocol.js';

export interface SessionServerOptions {
  core: AppCore;
  dataDir: string;
  server: SessionStatus['server'];
  /** Null: no idle timer of its own (the app's idle lock closes the session). */
  idleTimeoutMs: number | null;
  onStop?: (reason: SessionStopReason) => void;
  /** The time the idle expiry reads; tests pass a clock they move by hand. */
  clock?: Clock;
  /** The clocks that tell a sleep (see sleep-watch.ts); tests pass their own. */
  sleepClocks?: SleepWatchClocks;
}

export interface SessionServer {
  status(): SessionStatus;
  stop(reason: SessionStopReason): Promise<void>;
}

export class SessionBusyError extends Error {}

/** True when something answers on the socket; a file left by a killed server does not. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startSessionServer(options: SessionServerOptions): Promise<SessionServer> {
  const { core, dataDir } = options;
  const path = sessionSocketPath(dataDir);
  if (await socketAnswers(path)) throw new SessionBusyError(`A session is already open for ${dataDir}.`);
  // A stale socket from a killed server: nothing answers, so it is safe to replace.
  if (process.platform !== 'win32') rmSync(path, { force: true });

  const token = randomBytes(32).toString('hex');
  const tokenPath = sessionTokenPath(dataDir);
  writeFileSync(tokenPath, token, { mode: 0o600 });
  chmodSync(tokenPath, 0o600);

  const connections = new Set<Socket>();
  /** Connections that presented the token, and the pid each named. */
  const greeted = new Set<Socket>();
  const clock = options.clock ?? systemClock;
  let lastActivity = clock.now();
  /** Requests being served: while any is, the session does not expire. */
  let serving = 0;
  let stopped = false;
  /** A client's lock is answered before the session closes; the lock event it causes must not close it first. */
  let lockRequested = false;
  const idleTimeoutMs = options.idleTimeoutMs;
  const idle =
    idleTimeoutMs === null
      ? null
      : new IdleTimer(
          clock,
          () => idleTimeoutMs,
          () => void stop('idle'),
        );

  const send = (socket: Socket, reply: SessionReply) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };

  const status = (): SessionStatus => ({
    server: options.server,
    pid: process.pid,
    idleTimeoutMs,
    // While a request is served the timeout has not started: the earliest the session can lock is a full timeout from now.
    expiresAt: idleTimeoutMs === null ? null : new Date((serving > 0 ? clock.now() : lastActivity) + idleTimeoutMs).toISOString(),
  });

  /** The connection whose call started each running operation: its progress goes there alone. */
  const operationOwners = new Map<string, Socket>();
  /** Connections waiting on key work (a rotation, a re-wrap), which carries no operation id: its progress goes to them alone. */
  const keyWorkCallers = new Set<Socket>();

  const unsubscribe = core.onEvent((event) => {
    if (event.type === 'vault.locked' && !lockRequested) void stop('locked');
    else if (event.type === 'connection.stage') for (const socket of greeted) send(socket, { event });
    else if (event.type === 'keyring.rotateProgress' || event.type === 'managers.rewrapProgress') for (const socket of keyWorkCallers) send(socket, { event });
    else if (event.type === 'operation.progress') {
      const owner = operationOwners.get(event.operationId);
      if (owner) send(owner, { event });
    }
  });

  const server: Server = createServer((socket) => {
    let actor: string | null = null;
    const peer = peerOf(socket);
    connections.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connections.delete(socket);
      greeted.delete(socket);
      keyWorkCallers.delete(socket);
    });
    const refuse = (id: number, message: string) => {
      send(socket, { id, ok: false, error: { code: 'SESSION_REFUSED', message } });
      socket.end();
    };
    socket.on(
      'data',
      lineReader(
        (line) => {
          let frame;
          try {
            frame = sessionRequestSchema.parse(JSON.parse(line));
          } catch {
            refuse(0, 'Not a session request.');
            return;
          }
          if (frame.kind === 'hello') {
            const given = Buffer.from(frame.token);
            if (given.length !== token.length || !timingSafeEqual(given, Buffer.from(token))) {
              refuse(frame.id, 'Wrong session token.');
              return;
            }
            void peer.verify(frame.pid).then((verdict) => {
              if (verdict.kind === 'refused') {
                refuse(frame.id, verdict.reason);
                return;
              }
              actor = cliActor(frame.pid);
              greeted.add(socket);
              send(socket, { id: frame.id, ok: true, value: status() });
            });
            return;
          }
          if (actor === null) {
            refuse(frame.id, 'Say hello with the session token first.');
            return;
          }
          if (frame.kind === 'status') {
            send(socket, { id: frame.id, ok: true, value: status() });
            return;
          }
          if (frame.kind === 'lock') {
            lockRequested = true;
            void core.handleAs(actor, 'vault.lock', {}).then(async () => {
              send(socket, { id: frame.id, ok: true, value: {} });
              await stop('lock');
            });
            return;
          }
          // The session does not expire while it serves a request; the idle time counts from the end of the last one.
          serving++;
          const ended = idle?.busy();
          const operationId = operationIdOf(frame.channel, frame.request);
          if (operationId !== null && !operationOwners.has(operationId)) operationOwners.set(operationId, socket);
          const keyWork = frame.channel === 'keyring.rotate' || frame.channel === 'managers.rewrap';
          if (keyWork) keyWorkCallers.add(socket);
          void core.handleAs(actor, frame.channel, frame.request).then((result) => {
            serving--;
            lastActivity = clock.now();
            ended?.();
            if (keyWork) keyWorkCallers.delete(socket);
            if (operationId !== null && operationOwners.get(operationId) === socket) operationOwners.delete(operationId);
            send(socket, { id: frame.id, ...result });
          });
        },
        () => refuse(0, 'Request too large.'),
      ),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  idle?.reset();
  const stopSleepWatch = watchForSleep(() => void stop('sleep'), { ...DEFAULT_SLEEP_WATCH, clocks: options.sleepClocks ?? systemSleepClocks, scheduler: clock });

  async function stop(reason: SessionStopReason): Promise<void> {
    if (stopped) return;
    stopped = true;
    idle?.stop();
    stopSleepWatch();
    unsubscribe();
    // Each client that said hello learns why, before its connection closes: the app linked to an agent locks or not by it.
    const stoppedEvent: SessionStoppedEvent = { type: 'session.stopped', reason };
    for (const socket of greeted) send(socket, { event: stoppedEvent });
    for (const socket of connections) socket.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of connections) socket.destroy();
    // Another server may have taken the folder over since; its token must stay.
    try {
      if (readFileSync(tokenPath, 'utf8') === token) rmSync(tokenPath, { force: true });
    } catch {
      // already gone
    }
    if (reason === 'idle' || reason === 'sleep' || reason === 'signal') await core.handle('vault.lock', {});
    options.onStop?.(reason);
  }

  return { status, stop };
}

/** The operation id a long operation's request carries (export, restore, bulk scope edit; not a cancel), checked by the core itself. */
function operationIdOf(channel: string, request: unknown): string | null {
  if (!(progressOperations as readonly string[]).includes(channel)) return null;
  if (typeof request !== 'object' || request === null || !('operationId' in request)) return null;
  return typeof request.operationId === 'string' ? request.operationId : null;
}
