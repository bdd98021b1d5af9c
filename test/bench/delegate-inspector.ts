/**
 * The benchmark's window into the delegate: the product's own spawner (forkDelegate) with Node's inspector on
 * a loopback port, and a small client for it. Through it the bench profiles exactly the timed run and reads
 * timings the delegate's code does not keep, without changing that code. Bench only: whoever reaches the port
 * can run code in the delegate, which here holds nothing but the benchmark's throwaway store.
 */
import WebSocket from 'ws';
import type { DelegateSpawner } from '../../src-main/core/delegate/delegate-channel.js';
import { forkDelegate } from '../../src-main/core/delegate/node-delegate-channel.js';

export function inspectedDelegate(port: number): DelegateSpawner {
  return (launch) => forkDelegate({ ...launch, execArgv: [`--inspect=127.0.0.1:${port}`] });
}

export interface DelegateInspector {
  /** Evaluates an expression in the delegate (awaiting a promise it returns) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  startProfile(): Promise<void>;
  /** The CPU profile (.cpuprofile JSON) since startProfile. */
  stopProfile(): Promise<unknown>;
  close(): void;
}

interface Reply {
  id?: number;
  result?: { result?: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } }; profile?: unknown };
  error?: { message: string };
}

async function debuggerUrl(port: number): Promise<string> {
  // The child opens its inspector as it starts: give it a few seconds.
  for (let waited = 0; ; waited += 100) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
      if (targets[0]) return targets[0].webSocketDebuggerUrl;
    } catch (error) {
      if (waited >= 10_000) throw new Error(`the delegate's inspector on port ${port} did not answer: ${String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function attachInspector(port: number): Promise<DelegateInspector> {
  const socket = new WebSocket(await debuggerUrl(port));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (reply: Reply['result']) => void; reject: (error: Error) => void }>();
  socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Reply;
    const waiter = reply.id === undefined ? undefined : waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id!);
    if (reply.error) waiter.reject(new Error(reply.error.message));
    else waiter.resolve(reply.result);
  });
  socket.on('close', () => {
    for (const waiter of waiting.values()) waiter.reject(new Error('the delegate inspector closed'));
    waiting.clear();
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Reply['result']>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async evaluate<T>(expression: string) {
      const result = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
      if (result?.exceptionDetails) throw new Error(`in the delegate: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`);
      return result?.result?.value as T;
    },
    async startProfile() {
      await send('Profiler.enable');
      await send('Profiler.start');
    },
    async stopProfile() {
      return (await send('Profiler.stop'))?.profile;
    },
    close: () => socket.close(),
  };
}
