/**
 * Who sent the request being handled, when one core serves several clients:
 * the session agent (and the app serving the session socket) run a CLI's
 * requests under `cli:<pid>`, the actor a CLI's own core records, so the
 * audit trail names that CLI the same way with or without a session (and
 * `audit list --actor cli` finds both), and its reveals are scope-checked
 * exactly as when the CLI runs its own core.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const requestActor = new AsyncLocalStorage<string>();

/** As auditEntrySchema documents it, and auditActor writes it for a CLI's own core. */
export function cliActor(pid: number): string {
  return `cli:${pid}`;
}

export function runAsActor<T>(actor: string, action: () => T): T {
  return requestActor.run(actor, action);
}

/** The actor of the request in progress, or the core's own. */
export function currentActor(coreActor: string): string {
  return requestActor.getStore() ?? coreActor;
}

/** True while handling a CLI's request, whichever process's core handles it. */
export function isCliRequest(coreActor: string): boolean {
  const actor = currentActor(coreActor);
  return actor === 'cli' || actor.startsWith('cli:');
}
