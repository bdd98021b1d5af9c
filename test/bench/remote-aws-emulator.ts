/**
 * Starts and drives an AWS emulator in its own process (aws-emulator-process.ts) from the migration bench, or,
 * behind the same interface, in the bench's own process (beside main), the placement to compare it with.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAwsEmulator, type AwsCredentials } from '../emulators/aws-emulator.js';
import { installLatencyProbe, readLatencyProbe, type LatencyReading } from './latency-probes.js';

// Built beside the bench (dist/bench); this code may run from a shared chunk (dist/chunks), hence the way round.
const ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'aws-emulator-process.js');

export interface RemoteAwsEmulator {
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
  pid: number;
  setLatency(latencyMs: number): Promise<void>;
  /** Calls received, as CallLog.count counts them. */
  calls(operation: string): Promise<number>;
  /** The most requests of `service` in flight at once since the last reset; `reset` starts counting anew. */
  mostInFlight(service: string, reset?: boolean): Promise<number>;
  /** Starts timing each request it serves, and its event loop (latency-probes.ts). */
  installProbe(): Promise<void>;
  readProbe(): Promise<LatencyReading>;
  close(): Promise<void>;
}

/** `entry`: the built aws-emulator-process.js (a test running from the sources names dist's). */
export function startRemoteAwsEmulator(entry = ENTRY): Promise<RemoteAwsEmulator> {
  const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const ask = <T>(request: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, ...request });
    });
  void exited.then(() => {
    for (const waiter of waiting.values()) waiter.reject(new Error('the emulator process exited'));
    waiting.clear();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error('the emulator process exited before it listened')));
    child.on('message', (message: { ready?: { endpoint: string; region: string; credentials: AwsCredentials }; id?: number; value?: unknown; error?: string }) => {
      if (message.ready) {
        resolve({
          ...message.ready,
          pid: child.pid!,
          setLatency: (latencyMs) => ask({ op: 'setFaults', latencyMs }),
          calls: (operation) => ask({ op: 'calls', operation }),
          mostInFlight: (service, reset = false) => ask({ op: 'mostInFlight', service, reset }),
          installProbe: () => ask({ op: 'installProbe' }),
          readProbe: () => ask({ op: 'readProbe' }),
          async close() {
            // Its own pid: closing the channel ends it; a kill makes sure.
            if (child.connected) child.disconnect();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(timer);
          },
        });
        return;
      }
      const waiter = message.id === undefined ? undefined : waiting.get(message.id);
      if (!waiter) return;
      waiting.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.value);
    });
  });
}

/**
 * The same emulator in this process, sharing main's event loop. Its probe is this process's: installing it for one
 * emulator installs it for all of them here, and each reads what all of them served.
 */
export async function startAwsEmulatorInThisProcess(): Promise<RemoteAwsEmulator> {
  const emulator = await startAwsEmulator();
  return {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
    pid: process.pid,
    setLatency: async (latencyMs) => emulator.setFaults({ latencyMs }),
    calls: async (operation) => emulator.calls.count(operation),
    mostInFlight: async (service, reset = false) => {
      const most = emulator.calls.mostInFlight(service);
      if (reset) emulator.calls.resetMostInFlight();
      return most;
    },
    installProbe: async () => installLatencyProbe('server'),
    readProbe: async () => readLatencyProbe(),
    close: () => emulator.close(),
  };
}
