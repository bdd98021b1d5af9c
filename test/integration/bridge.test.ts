/** The loopback bridge's gatekeeping: one-time launch codes, the session cookie and page secret, Host, Origin, and no CORS. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { AppCore } from '../../src-main/core/app-core.js';
import { MAX_SOCKETS_PER_SESSION, startBridge, type Bridge } from '../../src-main/core/bridge/bridge-server.js';
import { BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX, BRIDGE_PROTOCOL } from '../../src-shared/contract.js';
import { ask, handshakeHeaders, httpGet as get, launchPageTarget, openSocket, redeemLaunchUrl, type BridgeSessionCredentials } from '../support/bridge-wire.js';
import { startCore, tempDir } from '../support/core-harness.js';

describe('loopback bridge', () => {
  const dir = tempDir();
  const rendererDir = join(dir.path, 'renderer');
  let core: AppCore;
  let bridge: Bridge;
  let session: BridgeSessionCredentials;

  beforeAll(async () => {
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Strongroom</title>');
    writeFileSync(join(dir.path, 'outside.txt'), 'outside the renderer folder');
    core = await startCore(join(dir.path, 'data'));
    bridge = await startBridge({ core, rendererDir });
  });
  afterAll(async () => {
    await bridge?.close();
    await core?.close();
    dir.remove();
  });

  it('listens on 127.0.0.1 with a 256-bit code in each launch URL, a new one every time', () => {
    const again = bridge.launchUrl();
    for (const url of [bridge.url, again]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(new URL(url).searchParams.get('token')!, 'base64url')).toHaveLength(32);
    }
    expect(again).not.toBe(bridge.url);
  });

  it('exchanges the code once for an HttpOnly, SameSite=Strict cookie that is not the code, and a page that moves to an address whose fragment holds the page secret', async () => {
    const code = new URL(bridge.url).searchParams.get('token')!;
    const reply = await get(bridge.port, `/?token=${code}`);
    expect(reply.status).toBe(200);
    const target = launchPageTarget(reply.body);
    expect(target.path).toBe('/');
    expect(target.pageSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const setCookie = String(reply.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^strongroom_session_${bridge.port}=[A-Za-z0-9_-]{43}; `));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain(code);
    expect(reply.body).not.toContain(code);
    expect((await get(bridge.port, `/?token=${bridge.launchUrl().split('=')[1]}`, {}, 'HEAD')).status).toBe(405);

    expect((await get(bridge.port, `/?token=${code}`)).status).toBe(403);
    session = await redeemLaunchUrl(bridge.launchUrl());
  });

  it('runs the redeemed callback of a launch URL once, when it is used', async () => {
    let redeemed = 0;
    const url = bridge.launchUrl(() => redeemed++);
    expect(redeemed).toBe(0);
    await redeemLaunchUrl(url);
    await expect(redeemLaunchUrl(url)).rejects.toThrow('403');
    expect(redeemed).toBe(1);
  });

  it('serves the renderer with a strict CSP and no CORS headers', async () => {
    const reply = await get(bridge.port, '/', { Cookie: session.cookie, Origin: 'http://evil.example' });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('Strongroom');
    expect(reply.headers['content-security-policy']).toContain("default-src 'self'");
    expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(reply.headers['content-security-policy']).not.toContain('unsafe');
    expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it.each([
    ['no cookie', {}, 401],
    ['a wrong cookie', { Cookie: 'strongroom_session=guess' }, 401],
  ])('refuses a request with %s', async (_name, headers, status) => {
    expect((await get(bridge.port, '/', headers)).status).toBe(status);
  });

  it('refuses a wrong code', async () => {
    expect((await get(bridge.port, '/?token=wrong')).status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(bridge.port, '/', { Cookie: session.cookie, Host: 'attacker.example' })).status).toBe(421);
    expect((await get(bridge.port, '/', { Cookie: session.cookie, Host: `localhost:${bridge.port}` })).status).toBe(421);
  });

  it('refuses methods other than GET', async () => {
    expect((await get(bridge.port, '/', { Cookie: session.cookie }, 'POST')).status).toBe(405);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/%E0%A4%A']) {
      const reply = await get(bridge.port, path, { Cookie: session.cookie });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.body).not.toContain('outside the renderer folder');
    }
  });

  it('accepts the WebSocket only with the cookie, its page secret and its own Origin', async () => {
    const other = await redeemLaunchUrl(bridge.launchUrl());
    const refused = [
      handshakeHeaders(session, { Cookie: undefined }),
      handshakeHeaders(session, { Origin: 'http://evil.example' }),
      handshakeHeaders(session, { Origin: undefined }),
      // A leaked cookie alone: the page secret never leaves the page.
      handshakeHeaders(session, { 'Sec-WebSocket-Protocol': BRIDGE_PROTOCOL }),
      handshakeHeaders(session, { 'Sec-WebSocket-Protocol': `${BRIDGE_PROTOCOL}, ${BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX}guess` }),
      // Another session's page secret does not fit this cookie.
      handshakeHeaders(session, { 'Sec-WebSocket-Protocol': `${BRIDGE_PROTOCOL}, ${BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX}${other.pageSecret}` }),
    ];
    for (const headers of refused) await expect(openSocket(bridge.port, headers)).rejects.toThrow('403');

    const socket = await openSocket(bridge.port, handshakeHeaders(session));
    expect(socket.protocol).toBe(BRIDGE_PROTOCOL);
    expect(await ask(socket, { id: 1, channel: 'app.status', request: {} })).toMatchObject({ id: 1, result: { ok: true, value: { initialized: false } } });
    expect(await ask(socket, { id: 2, channel: 'secrets.list', request: { limit: 'all' } })).toMatchObject({ id: 2, result: { ok: false, error: { code: 'INVALID_REQUEST' } } });
    socket.close();
  });

  it('answers a frame that is not JSON, or lacks its request or sends null, with a typed error and keeps the socket open', async () => {
    const socket = await openSocket(bridge.port, handshakeHeaders(session));
    const replies: unknown[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
    socket.send('not json');
    socket.send(JSON.stringify({ id: 7, channel: 'vault.lock' }));
    // The router reads a missing request as {}: a null must not reach it (found by the message fuzzer).
    socket.send(JSON.stringify({ id: 9, channel: 'vault.lock', request: null }));
    expect(await ask(socket, { id: 8, channel: 'app.status', request: {} })).toMatchObject({ result: { ok: true } });
    const refusedRequest = (id: number) => ({ id, result: { ok: false, error: expect.objectContaining({ code: 'INVALID_REQUEST', issues: [expect.objectContaining({ path: 'request' })] }) } });
    expect(replies).toEqual([
      { id: 0, result: { ok: false, error: expect.objectContaining({ code: 'INVALID_REQUEST' }) } },
      refusedRequest(7),
      refusedRequest(9),
      expect.objectContaining({ id: 8 }),
    ]);
    socket.close();
  });

  it(`holds at most ${MAX_SOCKETS_PER_SESSION} sockets per session`, async () => {
    const own = await redeemLaunchUrl(bridge.launchUrl());
    const sockets: WebSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_SESSION; i++) sockets.push(await openSocket(bridge.port, handshakeHeaders(own)));
    await expect(openSocket(bridge.port, handshakeHeaders(own))).rejects.toThrow('429');
    const closed = new Promise((resolve) => sockets[0]!.once('close', resolve));
    sockets[0]!.close();
    await closed;
    // The server may see the close a moment after the client does: ask until a slot is free.
    let reopened = null;
    while (!reopened) reopened = await openSocket(bridge.port, handshakeHeaders(own)).catch(() => null);
    for (const socket of [...sockets.slice(1), reopened]) socket.close();
  });
});
