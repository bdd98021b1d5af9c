/**
 * The loopback bridge: the same router the Electron shell uses, served over
 * HTTP and WebSocket on 127.0.0.1 for tests and for machines without Electron.
 *
 * - It listens on 127.0.0.1 only, on a random port unless told otherwise.
 * - A 256-bit token, new at every launch, is exchanged once for an HttpOnly,
 *   SameSite=Strict cookie; every other request needs that cookie.
 * - Host must be 127.0.0.1:<port> (defeats DNS rebinding); the WebSocket's
 *   Origin must be this bridge's own origin. No CORS headers, ever.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BRIDGE_SOCKET_PATH, MAX_LARGE_REQUEST_CHARS, bridgeRequestFrameSchema, type BridgeReplyFrame } from '../../../src-shared/contract.js';
import type { AppCore } from '../app-core-types.js';

const COOKIE = 'strongroom_session';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface BridgeOptions {
  core: AppCore;
  rendererDir: string;
  port?: number;
  /** Observes every frame the bridge receives or sends (security tests). */
  onTraffic?: (direction: 'from-renderer' | 'to-renderer', frame: unknown) => void;
}

export interface Bridge {
  /** The URL to open, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function bridgeCsp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ws://127.0.0.1:${port}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(request: IncomingMessage): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = randomBytes(32).toString('base64url');
  let port = 0;
  const origin = () => `http://127.0.0.1:${port}`;
  const hostOk = (request: IncomingMessage) => request.headers.host === `127.0.0.1:${port}`;
  const authenticated = (request: IncomingMessage) => {
    const value = cookieValue(request);
    return value !== null && sameSecret(value, token);
  };

  const securityHeaders = (response: ServerResponse) => {
    response.setHeader('Content-Security-Policy', bridgeCsp(port));
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const deny = (response: ServerResponse, status: number, text: string) => {
    securityHeaders(response);
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(text);
  };

  const server = createServer(async (request, response) => {
    if (!hostOk(request)) return deny(response, 421, 'Misdirected request.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return deny(response, 405, 'Method not allowed.');
    const url = new URL(request.url ?? '/', origin());
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!sameSecret(offered, token)) return deny(response, 403, 'This link is not valid. Use the URL Strongroom printed in the terminal.');
      securityHeaders(response);
      // The token leaves the address bar at once; the cookie carries the session from here on.
      response.writeHead(303, { Location: '/', 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` });
      return response.end();
    }
    if (!authenticated(request)) return deny(response, 401, 'Open Strongroom with the URL it printed in the terminal.');
    let relative: string;
    try {
      relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return deny(response, 400, 'Bad path.');
    }
    const file = normalize(join(options.rendererDir, relative));
    if (!file.startsWith(normalize(options.rendererDir) + sep)) return deny(response, 404, 'Not found.');
    try {
      const body = await readFile(file);
      securityHeaders(response);
      response.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      deny(response, 404, 'Not found.');
    }
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LARGE_REQUEST_CHARS * 2 });
  const send = (socket: WebSocket, frame: BridgeReplyFrame) => {
    options.onTraffic?.('to-renderer', frame);
    socket.send(JSON.stringify(frame));
  };

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', origin());
    if (!hostOk(request) || request.headers.origin !== origin() || url.pathname !== BRIDGE_SOCKET_PATH || !authenticated(request)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', async (data) => {
        const text = data.toString();
        let frame: unknown;
        try {
          frame = JSON.parse(text);
        } catch {
          return ws.close(1007, 'Frames must be JSON.');
        }
        options.onTraffic?.('from-renderer', frame);
        const parsed = bridgeRequestFrameSchema.safeParse(frame);
        if (!parsed.success) return ws.close(1007, 'Malformed frame.');
        const result = await options.core.handle(parsed.data.channel, parsed.data.request);
        if (ws.readyState === ws.OPEN) send(ws, { id: parsed.data.id, result });
      });
    });
  });

  const unsubscribe = options.core.onEvent((event) => {
    for (const socket of sockets) send(socket, { event });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `${origin()}/?token=${token}`,
    port,
    async close() {
      unsubscribe();
      for (const socket of sockets) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
