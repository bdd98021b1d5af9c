/**
 * Session orchestration: connecting, following main's status and events,
 * creating, unlocking and locking the vault. Screens call these; the state
 * they change lives in the stores.
 */
import {
  sealBindings,
  sealValues,
  type AppEvent,
  type AppStatus,
  type Settings,
} from '../../src-shared/contract.js';
import { call, onCallError } from '../api/call.js';
import { getConnection } from '../api/connection.js';
import { isIpcError, type IpcCallError } from '../lib/errors.js';
import type { LockCause } from '../lib/session-state.js';
import { clipboardGuard } from './clipboard.js';
import { dispatchList, dispatchSecrets, dispatchSession, showToast, useCatalog, useSession } from './stores.js';

let started = false;
let statusSeq = 0;

/** Connects and follows main for the life of the window. */
export async function startSession(): Promise<void> {
  if (started) return;
  started = true;
  onCallError(handleCallError);
  const connection = await getConnection();
  connection.api.onEvent(handleEvent);
  connection.onStateChange((state) => {
    dispatchSession({ type: 'connection', state });
    // Anything may have happened while we were away, including a lock.
    if (state === 'open') void refreshStatus().catch(() => {});
  });
  dispatchSession({ type: 'connection', state: connection.state });
  await refreshStatus();
}

/** Re-reads app.status; the delegate's key and the lock state may have changed. */
export async function refreshStatus(): Promise<AppStatus> {
  const seq = ++statusSeq;
  const status = await call('app.status', {});
  if (seq === statusSeq) {
    if (!status.unlocked) forgetSecrets();
    dispatchSession({ type: 'status', status, now: Date.now() });
  }
  return status;
}

/** Drops every revealed value and the list, and clears a value we copied if it is still on the clipboard. */
function forgetSecrets(): void {
  dispatchSecrets({ type: 'wipe' });
  dispatchList({ type: 'wipe' });
  useCatalog.setState({ apps: [], managers: [], loaded: false });
  void clipboardGuard.clearIfOurs();
}

function enterLocked(cause: LockCause): void {
  forgetSecrets();
  dispatchSession({ type: 'locked', cause });
}

function handleLocked(cause: LockCause): void {
  enterLocked(cause);
  void refreshStatus().catch(() => {});
}

function handleEvent(event: AppEvent): void {
  if (event.type === 'vault.locked') handleLocked(event.reason);
  // Another window may have unlocked. secrets.changed is followed by the secrets view while it shows.
  else if (event.type === 'vault.unlocked') void refreshStatus().catch(() => {});
  // Key work an earlier start left interrupted resumes by itself after an unlock; the user hears of it whichever view shows.
  else if (event.type === 'keys.resumed') showToast(event.message);
}

function handleCallError(error: IpcCallError): void {
  if (error.code === 'LOCKED') {
    handleLocked('unexpected');
  } else if (error.code === 'SEAL_INVALID' || error.code === 'DELEGATE_UNAVAILABLE') {
    // A restarted delegate is the usual cause: forget its old key so the user's retry seals to the new one.
    dispatchSession({ type: 'delegate-key-stale' });
    void refreshStatus().catch(() => {});
  }
}

/** How long sealing waits for a restarting delegate to come back with its new key. */
const KEY_WAIT_MS = 5_000;
const KEY_POLL_MS = 250;

/**
 * The delegate's current public key: every value and passphrase is sealed to
 * it. Main reports none while a restarted delegate is starting, which takes
 * well under a second, so wait for it rather than fail the user's action.
 */
export async function delegateKey(): Promise<string> {
  const known = useSession.getState().status?.delegatePublicKey;
  if (known) return known;
  const deadline = Date.now() + KEY_WAIT_MS;
  for (;;) {
    const key = (await refreshStatus()).delegatePublicKey;
    if (key) return key;
    if (Date.now() >= deadline) throw new Error('Strongroom’s key service is not available. Try again in a moment.');
    await new Promise((resolve) => setTimeout(resolve, KEY_POLL_MS));
  }
}

/**
 * Seals to the delegate's key and sends; if the delegate was replaced in
 * between (locking replaces it), its new key is fetched and the call made
 * once more. Nothing was opened the first time, so repeating is safe.
 */
async function withDelegateKey<T>(send: (key: string) => Promise<T>): Promise<T> {
  try {
    return await send(await delegateKey());
  } catch (err) {
    if (!isIpcError(err, 'SEAL_INVALID')) throw err;
    dispatchSession({ type: 'delegate-key-stale' });
    return send(await delegateKey());
  }
}

export async function createVault(passphrase: string): Promise<void> {
  await withDelegateKey(async (key) => call('vault.create', { sealedPassphrase: await sealValues(key, sealBindings.vaultCreate(), [passphrase]) }));
  const status = await refreshStatus();
  // The user has just typed the passphrase twice; do not make them type it a third time.
  if (!status.unlocked) await unlockVault(passphrase);
}

export async function unlockVault(passphrase: string): Promise<void> {
  try {
    await withDelegateKey(async (key) => call('vault.unlock', { sealedPassphrase: await sealValues(key, sealBindings.vaultUnlock(), [passphrase]) }));
  } catch (err) {
    if (isIpcError(err, 'WRONG_PASSPHRASE', 'RATE_LIMITED')) {
      dispatchSession({ type: 'unlock-refused', retryAfterMs: err.retryAfterMs, now: Date.now() });
    }
    throw err;
  }
  await refreshStatus();
}

/**
 * Locks in the UI first, so nothing stays on screen while main is asked.
 * The status is re-read only afterwards: read earlier, it could still say
 * unlocked and bring the unlocked screen back.
 */
export async function lockVault(cause: 'user' | 'idle'): Promise<void> {
  enterLocked(cause);
  try {
    await call('vault.lock', {});
  } catch (err) {
    if (!isIpcError(err, 'LOCKED')) throw err;
  } finally {
    void refreshStatus().catch(() => {});
  }
}

export async function saveSettings(settings: Partial<Settings>): Promise<Settings> {
  const saved = await call('settings.update', settings);
  dispatchSession({ type: 'settings', settings: saved });
  return saved;
}
