/**
 * The StrongroomApi over the loopback bridge's WebSocket, for when the
 * renderer runs in a plain browser instead of Electron. The bridge
 * authenticates the socket with the cookie it set when the page loaded plus
 * the page secret the caller's openSocket offers (see bridge-session.ts).
 */
import { z } from 'zod';
import {
  appEventSchema,
  ipcErrorSchema,
  type AppEvent,
  type Channel,
  type ChannelRequest,
  type IpcResult,
  type StrongroomApi,
} from '../../src-shared/contract.js';
import { ConnectionLostError } from '../lib/errors.js';
import { reconnectDelay } from '../lib/reconnect.js';
import type { ConnectionState } from '../lib/session-state.js';

/** The part of the DOM WebSocket the client uses, so tests can pass a fake. */
export type SocketLike = Pick<WebSocket, 'readyState' | 'send' | 'close' | 'onopen' | 'onclose' | 'onerror' | 'onmessage'>;

const SOCKET_OPEN = 1;

// Values are checked against each channel's own schema by the caller, which knows the channel.
const replyFrameSchema = z.union([
  z.object({
    id: z.number().int(),
    result: z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }),
      z.object({ ok: z.literal(false), error: ipcErrorSchema }),
    ]),
  }),
  z.object({ event: appEventSchema }),
]);

interface Pending {
  resolve(result: IpcResult<Channel>): void;
  reject(error: Error): void;
}

export class BridgeClient implements StrongroomApi {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private attempt = 0;
  private closed = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private currentState: ConnectionState = 'connecting';
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: AppEvent) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private resolveFirstOpen!: () => void;
  /** Settles when the socket first opens; until then nothing can be sent. */
  readonly ready = new Promise<void>((resolve) => {
    this.resolveFirstOpen = resolve;
  });

  constructor(
    private readonly url: string,
    private readonly openSocket: (url: string) => SocketLike = (u) => new WebSocket(u),
  ) {
    this.connect();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  invoke<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<IpcResult<C>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) return Promise.reject(new ConnectionLostError());
    const id = this.nextId++;
    return new Promise<IpcResult<C>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: IpcResult<Channel>) => void, reject });
      socket.send(JSON.stringify({ id, channel, request }));
    });
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }

  private connect(): void {
    this.reconnectTimer = null;
    const socket = this.openSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setState('open');
      this.resolveFirstOpen();
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    // A failed handshake fires error then close; close alone does the work.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending();
      if (this.closed) return;
      if (this.currentState === 'open') this.setState('lost');
      this.reconnectTimer = setTimeout(() => this.connect(), reconnectDelay(this.attempt++));
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const frame = replyFrameSchema.safeParse(json);
    if (!frame.success) {
      console.warn('strongroom: ignored a malformed frame from the bridge');
      return;
    }
    if ('event' in frame.data) {
      for (const listener of this.eventListeners) listener(frame.data.event);
      return;
    }
    const waiting = this.pending.get(frame.data.id);
    if (!waiting) return;
    this.pending.delete(frame.data.id);
    waiting.resolve(frame.data.result as IpcResult<Channel>);
  }

  private failPending(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) entry.reject(new ConnectionLostError());
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
