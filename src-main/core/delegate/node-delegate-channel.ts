/** Starts the delegate under plain Node with child_process.fork. */
import { fork } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import type { DelegateChannel, DelegateLaunch, DelegateSpawner } from './delegate-channel.js';

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

export interface EarlyDelegate {
  /** Hands the early process to the first launch that asks for the same one, then forks as usual. */
  spawn: DelegateSpawner;
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
  let early: DelegateChannel | null = replaying(forkDelegate(launch));
  return {
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

function replaying(channel: DelegateChannel): DelegateChannel {
  const messages: unknown[] = [];
  let onMessage: ((message: unknown) => void) | null = null;
  let exitCode: number | null | undefined;
  const exitListeners: ((code: number | null) => void)[] = [];
  channel.onMessage((message) => (onMessage ? onMessage(message) : messages.push(message)));
  channel.onExit((code) => {
    exitCode = code;
    for (const listener of exitListeners.splice(0)) listener(code);
  });
  return {
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
