/**
 * Starts the delegate as an Electron utility process.
 *
 * Under Electron the core's default (child_process.fork) would need
 * ELECTRON_RUN_AS_NODE, which the runAsNode fuse switches off. A utility
 * process needs no such switch, carries its service name into the OS's
 * process list and crash reports, and does not outlive main.
 */
import { utilityProcess } from 'electron';
import type { DelegateChannel, DelegateSpawner } from '../core/delegate/delegate-channel.js';

const SERVICE_NAME = 'Strongroom Delegate';

export const spawnUtilityDelegate: DelegateSpawner = ({ entry, env, args }) => {
  const child = utilityProcess.fork(entry, args, {
    env,
    serviceName: SERVICE_NAME,
    // As under Node (node-delegate-channel.ts): the delegate's console is not
    // a log. What it has to say goes to its sanitized log file; a stray print
    // or crash trace holding key material must not reach main's stderr.
    stdio: 'ignore',
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  // An 'error' nobody listens to would throw in main. 'exit' follows it, and
  // the supervisor learns of the loss from there. The diagnostic report is
  // not logged: it carries the child's environment and stack contents.
  child.on('error', (type, location) => {
    console.error(`${SERVICE_NAME}: ${type} at ${location}`);
  });

  const channel: DelegateChannel = {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exited) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      child.once('exit', (code) => listener(code));
    },
    kill() {
      child.kill();
    },
  };
  return channel;
};
