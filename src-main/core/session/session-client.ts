/**
 * A CLI's side of the session socket: finds the unlocked core serving its
 * data folder, if any, and drives it with the same channels as its own core.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { appEventSchema, type AppEvent, type Channel, type IpcResult } from '../../../src-shared/contract.js';
import { lineReader, sessionReplySchema, sessionSocketPath, sessionStatusSchema, sessionTokenPath, type SessionRequest, type SessionStatus } from './session-protocol.js';

type Pending = { resolve: (reply: { ok: boolean; value?: unknown; error?: { code: string; message: string } }) => void; reject: (error: Error) => void };
type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export class SessionClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: AppEvent) => void>();

  private constructor(private readonly socket: Socket) {
    socket.on(
      'data',
      lineReader(
        (line) => this.receive(line),
        () => this.fail(new Error('The session sent an oversized reply.')),
      ),
    );
    socket.on('close', () => this.fail(new Error('The session closed the connection.')));
    socket.on('error', () => undefined);
  }

  /** The session serving this data folder, or null when none answers (no socket, a stale one, or no token). */
  static async open(dataDir: string): Promise<SessionClient | null> {
    let token: string;
    try {
      token = readFileSync(sessionTokenPath(dataDir), 'utf8').trim();
    } catch {
      return null;
    }
    const socket = await new Promise<Socket | null>((resolve) => {
      const candidate = connect(sessionSocketPath(dataDir));
      candidate.once('connect', () => resolve(candidate));
      candidate.once('error', () => resolve(null));
    });
    if (!socket) return null;
    const client = new SessionClient(socket);
    try {
      await client.request({ kind: 'hello', token, pid: process.pid });
      return client;
    } catch {
      client.close();
      return null;
    }
  }

  async handle(channel: string, request: unknown): Promise<IpcResult<Channel>> {
    const reply = await this.send({ kind: 'call', channel, request });
    return (reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error }) as IpcResult<Channel>;
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(): Promise<SessionStatus> {
    return sessionStatusSchema.parse(await this.request({ kind: 'status' }));
  }

  async lock(): Promise<void> {
    await this.request({ kind: 'lock' });
  }

  close(): void {
    this.socket.end();
  }

  private async request(frame: DistributiveOmit<SessionRequest, 'id'>): Promise<unknown> {
    const reply = await this.send(frame);
    if (!reply.ok) throw new Error(reply.error?.message ?? 'The session refused the request.');
    return reply.value;
  }

  private send(frame: DistributiveOmit<SessionRequest, 'id'>): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ ...frame, id })}\n`);
    });
  }

  private receive(line: string): void {
    let reply;
    try {
      reply = sessionReplySchema.parse(JSON.parse(line));
    } catch {
      this.fail(new Error('The session sent a malformed reply.'));
      return;
    }
    if ('event' in reply) {
      const event = appEventSchema.safeParse(reply.event);
      if (event.success) for (const listener of this.listeners) listener(event.data);
      return;
    }
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    pending?.resolve(reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error });
  }

  private fail(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
