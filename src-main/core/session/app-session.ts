/**
 * The app's side of the session: while its store is unlocked it serves the
 * data folder's session socket, so the CLI works without a passphrase while
 * the app is open. A CLI's `lock` locks the app (one core, one vault), and
 * the app's lock, from the user or its idle timer, closes the session. When a
 * session agent already serves the folder, the app leaves it be.
 */
import type { AppCore } from '../app-core-types.js';
import { startSessionServer, type SessionServer } from './session-server.js';

export function serveSessionWhileUnlocked(core: AppCore, dataDir: string): void {
  let serving: Promise<SessionServer | null> | null = null;
  core.onEvent((event) => {
    if (event.type !== 'vault.unlocked' || serving) return;
    serving = startSessionServer({
      core,
      dataDir,
      server: 'app',
      idleTimeoutMs: null,
      onStop: () => (serving = null),
    }).catch(() => (serving = null));
  });
}
