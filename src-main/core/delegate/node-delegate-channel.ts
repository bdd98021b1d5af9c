/** Starts the delegate under plain Node with child_process.fork. */
import { fork } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import type { DelegateChannel, DelegateLaunch, DelegateSpawner } from './delegate-channel.js';
import { MAX_PREPARED_KDFS, delegateReadySchema, type PrepareUnlockFrame, type PreparedKdf } from '../../../src-shared/delegate-start-protocol.js';
import { sealBindings, sealValues } from '../../../src-shared/sealed-box.js';

export const forkDelegate: DelegateSpawner = (launch) => {
  const child = fork(launch.entry, launch.args, {
    env: launch.env,
    ...(launch.execArgv ? { execArgv: launch.execArgv } : {}),
    // The delegate's stdout/stderr are not a log: anything it has to say goes to its sanitized log file.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
  });
  const channel: DelegateChannel = {
    get pid() {
      return child.pid;
    },
    send(message) {
      // A send racing the child's death fails with EPIPE; the exit handler already fails the request.
      if (child.connected) child.send(message as string, (error) => void error);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      child.once('exit', (code) => listener(code));
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
  return channel;
};

/** How long prepareUnlock waits for the process's ready before leaving the derivation to the unlock. */
const READY_WAIT_MS = 5_000;

export interface EarlyDelegate {
  /** Hands the early process to the first launch that asks for the same one, then forks as usual. */
  spawn: DelegateSpawner;
  /**
   * Once the process is ready, sends it the passphrase, sealed to its key, and the keyring's KDF parameters,
   * so the key derivation of the unlock to come starts now (src-shared/delegate-start-protocol.ts). Resolves
   * when sent, or at once if the process is gone; the unlock itself reports any failure.
   */
  prepareUnlock(passphrase: string, kdf: PreparedKdf[]): Promise<void>;
  /** Kills the early process if nothing took it (the command failed before it made a core). */
  discard(): void;
}

/**
 * Forks the delegate now, before the core that will supervise it is even loaded,
 * so the two processes start side by side instead of one after the other: a CLI
 * command without a session saves most of a delegate's start this way. What the
 * process says and does before the supervisor listens (its "ready", or an early
 * exit) is kept and replayed to it.
 */
export function forkDelegateEarly(launch: DelegateLaunch): EarlyDelegate {
  const channel = replaying(forkDelegate(launch));
  let early: DelegateChannel | null = channel;
  return {
    async prepareUnlock(passphrase, kdf) {
      // A process that neither says ready nor exits is the supervisor's to report; this only stops waiting.
      const publicKey = await Promise.race([channel.readyKey, new Promise<null>((resolve) => setTimeout(resolve, READY_WAIT_MS, null).unref())]);
      if (publicKey === null || kdf.length === 0) return;
      const frame: PrepareUnlockFrame = {
        prepareUnlock: { sealed: await sealValues(publicKey, sealBindings.vaultUnlock(), [passphrase]), kdf: kdf.slice(0, MAX_PREPARED_KDFS) },
      };
      channel.send(JSON.stringify(frame));
    },
    spawn(requested) {
      const claimed = early;
      early = null;
      if (claimed && isDeepStrictEqual(requested, launch)) return claimed;
      claimed?.kill();
      return forkDelegate(requested);
    },
    discard() {
      early?.kill();
      early = null;
    },
  };
}

/** A channel that keeps what the process says before anyone listens, and reads the sealing key its `ready` names (null if it exits first). */
function replaying(channel: DelegateChannel): DelegateChannel & { readyKey: Promise<string | null> } {
  const messages: unknown[] = [];
  let onMessage: ((message: unknown) => void) | null = null;
  let exitCode: number | null | undefined;
  const exitListeners: ((code: number | null) => void)[] = [];
  let answerReadyKey: ((key: string | null) => void) | null = null;
  const readyKey = new Promise<string | null>((resolve) => (answerReadyKey = resolve));
  channel.onMessage((message) => {
    // `ready` is the process's first message: only that one is read here, not every reply after it.
    if (answerReadyKey) {
      const ready = typeof message === 'string' && message.length < 1024 ? delegateReadySchema.safeParse(parsedOrNull(message)) : null;
      answerReadyKey(ready?.success ? ready.data.publicKey : null);
      answerReadyKey = null;
    }
    if (onMessage) onMessage(message);
    else messages.push(message);
  });
  channel.onExit((code) => {
    exitCode = code;
    answerReadyKey?.(null);
    for (const listener of exitListeners.splice(0)) listener(code);
  });
  return {
    readyKey,
    get pid() {
      return channel.pid;
    },
    send: (message) => channel.send(message),
    onMessage(listener) {
      onMessage = listener;
      for (const message of messages.splice(0)) listener(message);
    },
    onExit(listener) {
      if (exitCode !== undefined) listener(exitCode);
      else exitListeners.push(listener);
    },
    kill: () => channel.kill(),
  };
}

function parsedOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
