/**
 * The app's side of the session: one session per data folder, shared with
 * the app. While the app's store is unlocked, the app serves the data
 * folder's session socket, so the CLI works without a passphrase while the
 * app is open. When a session agent (`strongroom unlock`) already serves the
 * folder, the app links to it as a client instead and keeps the link open.
 *
 * Locking either side locks both:
 * - The app's lock (its Lock button, its idle timer, a screen lock or
 *   suspend) closes the session it serves, or sends `lock` over the link, so
 *   the agent locks and exits.
 * - A CLI's `lock` locks the app, whichever serves the session. So does an
 *   agent that stops because the machine slept, on a signal, or because its
 *   own core locked: it says why before it closes the link (a
 *   `session.stopped` event, see session-protocol.ts).
 * - The agent's idle expiry ends the CLI's session only: the app has its own
 *   idle timer, measured on its own user's activity. The app stays unlocked
 *   and serves the socket itself, as it does when the agent goes away without
 *   a reason (killed).
 */
import { join } from 'node:path';
import type { AppCore } from '../app-core-types.js';
import { createFileLogger, type Logger } from '../logging/logger.js';
import { SessionClient } from './session-client.js';
import type { SessionStopReason } from './session-protocol.js';
import { SessionBusyError, startSessionServer, type SessionServer } from './session-server.js';

/** How often the app tries to serve or link when the folder's session changes hands under it (an agent starting or stopping just then). */
const ATTEMPTS = 3;

type Linked = { kind: 'linked'; agent: SessionClient };
type Session = { kind: 'serving'; server: SessionServer } | Linked;

export interface AppSession {
  /** What the app does for the folder's session now: serves it, is linked to an agent, or neither (locked). */
  current(): Session['kind'] | null;
  /** Stops following the core (the app quits; tests): a session the app serves stops as on a signal; a link is dropped, which leaves the agent be. */
  close(): Promise<void>;
}

export function serveSessionWhileUnlocked(core: AppCore, dataDir: string, logger: Logger = createFileLogger(join(dataDir, 'logs'), 'app-session')): AppSession {
  let unlocked = false;
  let session: Session | null = null;
  let closed = false;
  /** Every change runs after the one before, so an unlock and a lock in quick succession end in the state of the last. */
  let queue = Promise.resolve();

  /** Runs `work` (if any), then brings the session in line with the store: one while unlocked, none while locked. */
  const settle = (work?: () => Promise<void>) => {
    queue = queue
      .then(async () => {
        await work?.();
        if (closed) return;
        if (unlocked && !session) {
          session = await attach();
          // Locked while the server started, before it listened for the lock: it stops now.
          if (!unlocked && session?.kind === 'serving') await session.server.stop('locked');
        }
        // A server the app serves stops by itself when the core locks, after answering a CLI's lock.
        if (!unlocked && session?.kind === 'linked') await lockAgent(session);
      })
      .catch((error: unknown) => logger.log('error', 'the app session failed to follow the store', { error: String(error) }));
  };

  const unsubscribe = core.onEvent((event) => {
    if (event.type !== 'vault.unlocked' && event.type !== 'vault.locked') return;
    unlocked = event.type === 'vault.unlocked';
    settle();
  });

  async function attach(): Promise<Session | null> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        return { kind: 'serving', server: await serve() };
      } catch (error) {
        if (!(error instanceof SessionBusyError)) throw error;
      }
      const agent = await SessionClient.open(dataDir);
      if (agent) return link(agent);
    }
    logger.log('warn', 'a session serves the data folder but does not let the app link to it');
    return null;
  }

  async function serve(): Promise<SessionServer> {
    const server = await startSessionServer({
      core,
      dataDir,
      server: 'app',
      idleTimeoutMs: null,
      onStop: () =>
        settle(async () => {
          if (session?.kind === 'serving' && session.server === server) session = null;
        }),
    });
    return server;
  }

  function link(agent: SessionClient): Linked {
    const linked: Linked = { kind: 'linked', agent };
    agent.onProblem((problem) => logger.log('warn', 'the session agent sent a frame the app refused', { problem }));
    agent.onClose((reason) => settle(() => agentStopped(linked, reason)));
    logger.log('info', 'a session agent serves the data folder: the app links to it');
    return linked;
  }

  /** The agent closed the link. Unless the app ended it, the app locks too, or (idle, or no reason) serves the socket itself. */
  async function agentStopped(linked: Linked, reason: SessionStopReason | null): Promise<void> {
    if (session !== linked) return;
    session = null;
    if (reason === null || reason === 'idle') {
      logger.log('info', reason === 'idle' ? 'the session agent expired idle: the app serves the session' : 'the session agent went away without a reason: the app serves the session');
      return;
    }
    logger.log('info', 'the session agent stopped: the app locks too', { reason });
    if (!unlocked) return;
    const locked = await core.handle('vault.lock', {});
    if (!locked.ok) logger.log('error', 'the app could not lock after the session agent stopped', { code: locked.error.code });
  }

  /** The app locked: so does the agent it links to, which then exits. */
  async function lockAgent(linked: Linked): Promise<void> {
    session = null;
    try {
      await linked.agent.lock();
    } catch (error) {
      logger.log('warn', "the session agent did not answer the app's lock", { error: String(error) });
    } finally {
      linked.agent.close();
    }
  }

  return {
    current: () => session?.kind ?? null,
    async close() {
      closed = true;
      unsubscribe();
      await queue;
      const ending = session;
      session = null;
      if (ending?.kind === 'serving') await ending.server.stop('signal');
      else ending?.agent.close();
    },
  };
}
