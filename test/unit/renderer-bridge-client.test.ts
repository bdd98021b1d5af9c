import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bridgeRequestFrameSchema, type AppEvent } from '../../src-shared/contract.js';
import { BridgeClient, type SocketLike } from '../../src-renderer/api/bridge-client.js';
import { ConnectionLostError } from '../../src-renderer/lib/errors.js';
import type { ConnectionState } from '../../src-renderer/lib/session-state.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: WebSocket['onopen'] = null;
  onclose: WebSocket['onclose'] = null;
  onerror: WebSocket['onerror'] = null;
  onmessage: WebSocket['onmessage'] = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.call(this as never, {} as Event);
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.call(this as never, {} as CloseEvent);
  }
  deliver(frame: unknown): void {
    this.onmessage?.call(this as never, { data: typeof frame === 'string' ? frame : JSON.stringify(frame) } as MessageEvent);
  }
}

describe('BridgeClient', () => {
  let sockets: FakeSocket[];
  let client: BridgeClient;
  const latest = () => sockets[sockets.length - 1]!;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    client = new BridgeClient('ws://127.0.0.1:1234/api', (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    });
  });

  afterEach(() => {
    client.close();
    vi.useRealTimers();
  });

  it('refuses to send before the socket opens', async () => {
    await expect(client.invoke('app.status', {})).rejects.toBeInstanceOf(ConnectionLostError);
    latest().open();
    await client.ready;
    expect(client.state).toBe('open');
  });

  it('sends contract frames and pairs replies by id, in any order', async () => {
    latest().open();
    const first = client.invoke('app.status', {});
    const second = client.invoke('secrets.list', { query: 'db' });
    const [frameA, frameB] = latest().sent;
    expect(bridgeRequestFrameSchema.parse(frameA)).toEqual({ id: 1, channel: 'app.status', request: {} });
    expect(bridgeRequestFrameSchema.parse(frameB)).toEqual({ id: 2, channel: 'secrets.list', request: { query: 'db' } });
    latest().deliver({ id: 2, result: { ok: false, error: { code: 'LOCKED', message: 'locked' } } });
    latest().deliver({ id: 1, result: { ok: true, value: { answer: 1 } } });
    await expect(second).resolves.toEqual({ ok: false, error: { code: 'LOCKED', message: 'locked' } });
    await expect(first).resolves.toEqual({ ok: true, value: { answer: 1 } });
  });

  it('passes events on and ignores frames that match nothing', () => {
    latest().open();
    const events: AppEvent[] = [];
    const stop = client.onEvent((event) => events.push(event));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    latest().deliver({ event: { type: 'vault.locked', reason: 'idle' } });
    latest().deliver('not json');
    latest().deliver({ event: { type: 'made.up' } });
    latest().deliver({ id: 99, result: { ok: true, value: {} } });
    stop();
    latest().deliver({ event: { type: 'secrets.changed' } });
    expect(events).toEqual([{ type: 'vault.locked', reason: 'idle' }]);
    warn.mockRestore();
  });

  it('fails pending calls when the socket drops, reports it, and reconnects', async () => {
    const states: ConnectionState[] = [];
    client.onStateChange((state) => states.push(state));
    latest().open();
    const pending = client.invoke('vault.lock', {});
    latest().drop();
    await expect(pending).rejects.toBeInstanceOf(ConnectionLostError);
    expect(client.state).toBe('lost');

    await vi.advanceTimersByTimeAsync(250);
    expect(sockets).toHaveLength(2);
    latest().drop();
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    latest().open();
    expect(states).toEqual(['open', 'lost', 'open']);
    expect(latest().url).toBe('ws://127.0.0.1:1234/api');

    const after = client.invoke('app.status', {});
    latest().deliver({ id: 2, result: { ok: true, value: {} } });
    await expect(after).resolves.toEqual({ ok: true, value: {} });
  });

  it('stops reconnecting once closed', async () => {
    latest().open();
    client.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
  });
});
