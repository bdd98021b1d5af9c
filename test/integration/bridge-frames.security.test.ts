/**
 * Each WebSocket frame that once crashed main (and the delegate with it) now
 * closes only the socket that sent it: the bridge process, its delegate and
 * every other socket keep serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { childPids, startBridge, type RunningBridge } from '../e2e/bridge-harness.js';
import { ask, buildFrame, handshakeHeaders, openRawSocket, openSocket, redeemLaunchUrl, serverCloseCode, type BridgeSessionCredentials } from '../support/bridge-wire.js';
import { tempDir } from '../support/core-harness.js';

const TEXT = 0x1;

const crashFrames: [name: string, bytes: () => Buffer, closeCode: number][] = [
  // 14 bytes: 2 of header, 8 of length, 4 of mask, and no payload at all.
  ['a 14-byte header claiming more than 128 MiB', () => buildFrame({ opcode: TEXT, announcedLength: 128n * 1024n * 1024n + 1n }), 1009],
  ['invalid UTF-8 in a text frame', () => buildFrame({ opcode: TEXT, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), 1007],
  ['an unmasked frame', () => buildFrame({ opcode: TEXT, payload: Buffer.from('{}'), masked: false }), 1002],
  ['opcode 3', () => buildFrame({ opcode: 3, payload: Buffer.from('x') }), 1002],
];

describe('malformed WebSocket frames close one socket, never the app', () => {
  const dir = tempDir();
  let bridge: RunningBridge;
  let session: BridgeSessionCredentials;
  let bystander: WebSocket;
  let delegatePids: number[];
  let nextId = 1;

  beforeAll(async () => {
    bridge = await startBridge(dir.path);
    session = await redeemLaunchUrl(bridge.url);
    bystander = await openSocket(session.port, handshakeHeaders(session));
    delegatePids = childPids(bridge.pid);
  });
  afterAll(async () => {
    bystander?.terminate();
    await bridge?.stop();
    dir.remove();
  });

  it.each(crashFrames)('%s', async (_name, bytes, closeCode) => {
    const raw = await openRawSocket(session);
    raw.socket.write(bytes());
    await raw.ended;
    expect(serverCloseCode(raw.received())).toBe(closeCode);

    process.kill(bridge.pid, 0); // throws if the bridge process is gone
    expect(childPids(bridge.pid)).toEqual(delegatePids);
    expect(await ask(bystander, { id: nextId++, channel: 'app.status', request: {} })).toMatchObject({ result: { ok: true } });
    const fresh = await openSocket(session.port, handshakeHeaders(session));
    expect(await ask(fresh, { id: 1, channel: 'app.status', request: {} })).toMatchObject({ result: { ok: true } });
    fresh.close();
  });

  it('answers a frame missing its request field with a typed error on a socket that stays open', async () => {
    const socket = await openSocket(session.port, handshakeHeaders(session));
    const reply = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
    socket.send(JSON.stringify({ id: 41, channel: 'app.status' }));
    expect(await reply).toMatchObject({ id: 41, result: { ok: false, error: { code: 'INVALID_REQUEST' } } });
    expect(await ask(socket, { id: 42, channel: 'app.status', request: {} })).toMatchObject({ result: { ok: true } });
    socket.close();
  });
});
