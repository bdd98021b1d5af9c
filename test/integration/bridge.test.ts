/** The loopback bridge's gatekeeping: token, cookie, Host, Origin, and no CORS. */
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { startBridge, type Bridge } from '../../src-main/core/bridge/bridge-server.js';
import { startCore, tempDir } from '../support/core-harness.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('loopback bridge', () => {
  const dir = tempDir();
  const rendererDir = join(dir.path, 'renderer');
  let core: AppCore;
  let bridge: Bridge;
  let token: string;
  let cookie: string;

  beforeAll(async () => {
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Strongroom</title>');
    writeFileSync(join(dir.path, 'outside.txt'), 'outside the renderer folder');
    core = await startCore(join(dir.path, 'data'));
    bridge = await startBridge({ core, rendererDir });
    token = new URL(bridge.url).searchParams.get('token')!;
  });
  afterAll(async () => {
    await bridge?.close();
    await core?.close();
    dir.remove();
  });

  it('listens on 127.0.0.1 with a 256-bit token in the URL', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('exchanges the token for an HttpOnly, SameSite=Strict cookie and drops it from the address bar', async () => {
    const reply = await get(bridge.port, `/?token=${token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const setCookie = String(reply.headers['set-cookie']);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    cookie = setCookie.split(';')[0]!;
  });

  it('serves the renderer with a strict CSP and no CORS headers', async () => {
    const reply = await get(bridge.port, '/', { Cookie: cookie, Origin: 'http://evil.example' });
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

  it('refuses a wrong token', async () => {
    expect((await get(bridge.port, '/?token=wrong')).status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(bridge.port, '/', { Cookie: cookie, Host: 'attacker.example' })).status).toBe(421);
    expect((await get(bridge.port, '/', { Cookie: cookie, Host: `localhost:${bridge.port}` })).status).toBe(421);
  });

  it('refuses methods other than GET', async () => {
    expect((await get(bridge.port, '/', { Cookie: cookie }, 'POST')).status).toBe(405);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/%E0%A4%A']) {
      const reply = await get(bridge.port, path, { Cookie: cookie });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.body).not.toContain('outside the renderer folder');
    }
  });

  it('accepts the WebSocket only with the cookie and its own Origin', async () => {
    const origin = `http://127.0.0.1:${bridge.port}`;
    await expect(openSocket(bridge.port, { Origin: origin })).rejects.toThrow('403');
    await expect(openSocket(bridge.port, { Cookie: cookie, Origin: 'http://evil.example' })).rejects.toThrow('403');
    await expect(openSocket(bridge.port, { Cookie: cookie })).rejects.toThrow('403');
    const socket = await openSocket(bridge.port, { Cookie: cookie, Origin: origin });
    const reply = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
    socket.send(JSON.stringify({ id: 1, channel: 'app.status', request: {} }));
    expect(await reply).toMatchObject({ id: 1, result: { ok: true, value: { initialized: false } } });

    const typed = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
    socket.send(JSON.stringify({ id: 2, channel: 'secrets.list', request: { limit: 'all' } }));
    expect(await typed).toMatchObject({ id: 2, result: { ok: false, error: { code: 'INVALID_REQUEST' } } });

    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('not json');
    expect(await closed).toBe(1007);
  });
});
