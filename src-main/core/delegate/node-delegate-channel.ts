/** Starts the delegate under plain Node with child_process.fork. */
import { fork } from 'node:child_process';
import type { DelegateChannel, DelegateSpawner } from './delegate-channel.js';

export const forkDelegate: DelegateSpawner = (launch) => {
  const child = fork(launch.entry, launch.args, {
    env: launch.env,
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
