/**
 * A CLI's side of the session socket: finds the unlocked core serving its
 * data folder, if any, and drives it with the same channels as its own core.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { AppEvent, Channel, IpcResult } from '../../../src-shared/contract.js';
import {
  lineReader,
  sessionReplySchema,
  sessionSocketPath,
  sessionStatusSchema,
  sessionStoppedEventSchema,
  sessionTokenPath,
  type SessionRequest,
  type SessionStatus,
  type SessionStopReason,
} from './session-protocol.js';

type Pending = { resolve: (reply: { ok: boolean; value?: unknown; error?: { code: string; message: string } }) => void; reject: (error: Error) => void };
type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export class SessionClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private readonly closeListeners = new Set<(stopped: SessionStopReason | null) => void>();
  private readonly problemListeners = new Set<(problem: string) => void>();
  /** Why the server stopped, once it said so (its last frame before closing). */
  private stopReason: SessionStopReason | null = null;
  private closed = false;
  /** Replies and events are handled one after another, in the order they arrived, though checking an event waits for the contract to load. */
  private inbox: Promise<void> = Promise.resolve();

  private constructor(private readonly socket: Socket) {
    socket.on(
      'data',
      lineReader(
        (line) => this.receive(line),
        () => this.fail(new Error('The session sent an oversized reply.')),
      ),
    );
    socket.on('close', () => this.enqueue(() => this.end()));
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

  /**
   * Called once the connection has closed, after everything that arrived before: with the reason the server gave
   * for stopping, or null when it gave none (it was killed, or this side closed the connection).
   */
  onClose(listener: (stopped: SessionStopReason | null) => void): void {
    if (this.closed) this.enqueue(() => listener(this.stopReason));
    else this.closeListeners.add(listener);
  }

  /** Told of each frame refused (malformed, oversized, an unknown event), for a client that stays connected to log. */
  onProblem(listener: (problem: string) => void): void {
    this.problemListeners.add(listener);
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
      const raw = reply.event;
      // Checked without the contract: every command through a session may get this one, just before the session closes.
      const stopped = sessionStoppedEventSchema.safeParse(raw);
      if (stopped.success) {
        this.enqueue(() => {
          this.stopReason = stopped.data.reason;
        });
        return;
      }
      this.enqueue(async () => {
        // Schemas load only for a command that gets events, since building them at every start would cost a
        // reveal more than its own work. A connection test's stages have their own, small schema: for them the
        // whole contract took longer than the test itself (`test ssh` in `npm run bench -- session`).
        const { connectionStageEventSchema } = await import('../../../src-shared/connection-report.js');
        const stage = connectionStageEventSchema.safeParse(raw);
        if (stage.success) return this.emit(stage.data);
        const { appEventSchema } = await import('../../../src-shared/contract.js');
        const event = appEventSchema.safeParse(raw);
        if (event.success) this.emit(event.data);
        else this.report('The session sent an event that is not one of the app\'s.');
      });
      return;
    }
    const { id } = reply;
    const outcome = reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error };
    this.enqueue(() => {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      pending?.resolve(outcome);
    });
  }

  private emit(event: AppEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private enqueue(step: () => void | Promise<void>): void {
    this.inbox = this.inbox.then(step).catch((error: unknown) => this.rejectAll(error instanceof Error ? error : new Error(String(error))));
  }

  /** After whatever arrived before it: a reply read just before the socket closed still resolves. */
  private fail(error: Error): void {
    this.report(error.message);
    this.enqueue(() => this.rejectAll(error));
  }

  private report(problem: string): void {
    for (const listener of this.problemListeners) listener(problem);
  }

  private end(): void {
    this.closed = true;
    this.rejectAll(new Error('The session closed the connection.'));
    for (const listener of this.closeListeners) listener(this.stopReason);
    this.closeListeners.clear();
  }

  private rejectAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
