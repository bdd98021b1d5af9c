/**
 * The loopback bridge: the same router the Electron shell uses, served over
 * HTTP and WebSocket on 127.0.0.1 for tests and for machines without Electron.
 *
 * - It listens on 127.0.0.1 only, on a random port unless told otherwise.
 * - A launch URL carries a one-time code (see bridge-sessions.ts) that opens a
 *   session: an HttpOnly, SameSite=Strict cookie for the app's files, plus a
 *   page secret in the URL fragment that every WebSocket must offer too.
 * - Host must be 127.0.0.1:<port> (defeats DNS rebinding); the WebSocket's
 *   Origin must be this bridge's own origin. No CORS headers, ever.
 * - One client holds at most MAX_SOCKETS_PER_SESSION sockets; frames and
 *   requests in flight are bounded in bridge-socket.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BRIDGE_PAGE_SECRET_FRAGMENT, BRIDGE_PROTOCOL, BRIDGE_SOCKET_PATH, MAX_LARGE_REQUEST_CHARS, type BridgeReplyFrame } from '../../../src-shared/contract.js';
import type { AppCore } from '../app-core-types.js';
import { BridgeSessions, offeredPageSecret } from './bridge-sessions.js';
import { serveSocket } from './bridge-socket.js';

/** Sockets one session may hold open at once; the app needs one, a reconnect briefly two. */
export const MAX_SOCKETS_PER_SESSION = 4;
/** The largest frame: the largest request, JSON-escaped. A larger header closes the socket before its payload is read. */
export const MAX_FRAME_BYTES = MAX_LARGE_REQUEST_CHARS * 2;

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
  /** A launch URL made at start; it works once. */
  url: string;
  /** A new launch URL that works once; `onRedeemed` runs when it is used. */
  launchUrl(onRedeemed?: () => void): string;
  /** http://127.0.0.1:<port> */
  origin: string;
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

function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const sessions = new BridgeSessions();
  let port = 0;
  const origin = () => `http://127.0.0.1:${port}`;
  // Cookies ignore ports: a per-port name keeps two bridges on one machine from overwriting each other's.
  const cookieName = () => `strongroom_session_${port}`;
  const hostOk = (request: IncomingMessage) => request.headers.host === `127.0.0.1:${port}`;

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
      // A HEAD would spend the code on a page it never shows.
      if (request.method !== 'GET') return deny(response, 405, 'Method not allowed.');
      const opened = sessions.redeem(offered);
      if (!opened) return deny(response, 403, 'This link was already used or is not valid. Ask Strongroom for a new one (press Enter where it runs).');
      securityHeaders(response);
      // Not a 303: a launch page in the data folder opens this URL from file://, and a browser withholds a
      // SameSite=Strict cookie across a redirect that another site started. This page's own refresh is
      // same-site, and it replaces the address with one whose fragment, which no server receives, holds the page secret.
      response.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Set-Cookie': `${cookieName()}=${opened.cookie}; HttpOnly; SameSite=Strict; Path=/`,
      });
      response.end(
        `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><meta http-equiv="refresh" content="0;url=/#${BRIDGE_PAGE_SECRET_FRAGMENT}=${opened.pageSecret}"><title>Strongroom</title>\n`,
      );
      return;
    }
    if (!sessions.byCookie(cookieValue(request, cookieName()))) return deny(response, 401, 'Open Strongroom with the URL it printed in the terminal.');
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

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // The page secret is offered as a second subprotocol; only the bridge's own is ever echoed back.
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  const send = (socket: WebSocket, frame: BridgeReplyFrame) => {
    options.onTraffic?.('to-renderer', frame);
    socket.send(JSON.stringify(frame));
  };

  server.on('upgrade', (request, socket, head) => {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', origin());
    const session = sessions.byCookieAndPageSecret(cookieValue(request, cookieName()), offeredPageSecret(request.headers['sec-websocket-protocol']));
    if (!hostOk(request) || request.headers.origin !== origin() || url.pathname !== BRIDGE_SOCKET_PATH || !session) return refuse('403 Forbidden');
    if (session.sockets.size >= MAX_SOCKETS_PER_SESSION) return refuse('429 Too Many Requests');
    wss.handleUpgrade(request, socket, head, (ws) =>
      serveSocket(ws, session, {
        handle: (channel, body) => options.core.handle(channel, body),
        send,
        onFrame: (frame) => options.onTraffic?.('from-renderer', frame),
      }),
    );
  });

  const unsubscribe = options.core.onEvent((event) => {
    for (const client of wss.clients) if (client.readyState === client.OPEN) send(client, { event });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const launchUrl = (onRedeemed?: () => void) => `${origin()}/?token=${sessions.issueLaunchCode(onRedeemed)}`;

  return {
    url: launchUrl(),
    launchUrl,
    origin: origin(),
    port,
    async close() {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
