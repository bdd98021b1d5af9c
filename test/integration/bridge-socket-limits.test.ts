/** What one session may hold in flight: requests beyond the bound get BUSY, and a slot frees when a reply goes out. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_REQUESTS_IN_FLIGHT, serveSocket } from '../../src-main/core/bridge/bridge-socket.js';
import type { BridgeSession } from '../../src-main/core/bridge/bridge-sessions.js';
import type { Channel, IpcResult } from '../../src-shared/contract.js';

describe('bridge socket limits', () => {
  const held: (() => void)[] = [];
  const session: BridgeSession = { sockets: new Set(), inFlight: { requests: 0, chars: 0 } };
  let server: Server;
  let wss: WebSocketServer;
  let client: WebSocket;
  const replies: { id: number; result: IpcResult<Channel> }[] = [];

  beforeAll(async () => {
    server = createServer();
    wss = new WebSocketServer({ server });
    wss.on('connection', (socket) =>
      serveSocket(socket, session, {
        // Every request waits until the test releases it, so the count in flight is exact.
        handle: () => new Promise((resolve) => held.push(() => resolve({ ok: true, value: {} } as IpcResult<Channel>))),
        send: (socket, frame) => socket.send(JSON.stringify(frame)),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('message', (data) => replies.push(JSON.parse(data.toString())));
    await new Promise((resolve) => client.once('open', resolve));
  });
  afterAll(async () => {
    client?.terminate();
    wss?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const replyTo = async (id: number) => {
    while (!replies.some((reply) => reply.id === id)) await new Promise((resolve) => setTimeout(resolve, 5));
    return replies.find((reply) => reply.id === id)!;
  };

  it(`answers BUSY beyond ${MAX_REQUESTS_IN_FLIGHT} requests in flight, and serves again once one is answered`, async () => {
    for (let id = 1; id <= MAX_REQUESTS_IN_FLIGHT + 1; id++) client.send(JSON.stringify({ id, channel: 'app.status', request: {} }));
    expect(await replyTo(MAX_REQUESTS_IN_FLIGHT + 1)).toMatchObject({ result: { ok: false, error: { code: 'BUSY' } } });
    expect(held).toHaveLength(MAX_REQUESTS_IN_FLIGHT);
    expect(session.inFlight.requests).toBe(MAX_REQUESTS_IN_FLIGHT);

    held.shift()!();
    expect(await replyTo(1)).toMatchObject({ result: { ok: true } });
    client.send(JSON.stringify({ id: 100, channel: 'app.status', request: {} }));
    while (held.length < MAX_REQUESTS_IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const release of held.splice(0)) release();
    expect(await replyTo(100)).toMatchObject({ result: { ok: true } });
    expect(session.inFlight).toEqual({ requests: 0, chars: 0 });
  });
});
