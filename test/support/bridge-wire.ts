/**
 * Talks to a loopback bridge the way a browser does, and below that: redeems
 * a launch URL for a session (cookie + page secret), opens `ws` sockets with
 * it, and opens raw TCP sockets that finish the WebSocket handshake and then
 * send hand-built frames, malformed ones included.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { BRIDGE_PAGE_SECRET_FRAGMENT, BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX, BRIDGE_PROTOCOL, BRIDGE_SOCKET_PATH } from '../../src-shared/contract.js';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpReply> {
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

export interface BridgeSessionCredentials {
  port: number;
  origin: string;
  /** `name=value`, as a Cookie header carries it. */
  cookie: string;
  pageSecret: string;
}

/** Where a launch page's meta refresh goes, and the page secret in that address's fragment. */
export function launchPageTarget(html: string): { path: string; pageSecret: string | null } {
  const target = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html)?.[1];
  if (!target) throw new Error(`no refresh in the launch page: ${html}`);
  const fragment = target.includes('#') ? target.slice(target.indexOf('#') + 1) : '';
  return { path: target.split('#')[0]!, pageSecret: new URLSearchParams(fragment).get(BRIDGE_PAGE_SECRET_FRAGMENT) };
}

/** Follows a launch URL the way the browser does: the cookie from Set-Cookie, the page secret from the refresh's fragment. */
export async function redeemLaunchUrl(launchUrl: string): Promise<BridgeSessionCredentials> {
  const url = new URL(launchUrl);
  const port = Number(url.port);
  const reply = await httpGet(port, url.pathname + url.search);
  if (reply.status !== 200) throw new Error(`the launch URL answered ${reply.status}: ${reply.body}`);
  const { pageSecret } = launchPageTarget(reply.body);
  if (!pageSecret) throw new Error('no page secret in the launch page');
  const cookie = String(reply.headers['set-cookie']).split(';')[0]!;
  return { port, origin: url.origin, cookie, pageSecret };
}

/** The handshake headers a page of this session sends; `overrides` replaces or (with undefined) drops one. */
export function handshakeHeaders(session: BridgeSessionCredentials, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    Origin: session.origin,
    Cookie: session.cookie,
    'Sec-WebSocket-Protocol': `${BRIDGE_PROTOCOL}, ${BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX}${session.pageSecret}`,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A `ws` client socket; rejects with `HTTP <status>` when the bridge refuses the handshake. */
export function openSocket(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const { 'Sec-WebSocket-Protocol': protocols, ...rest } = headers;
    const offered = protocols ? protocols.split(',').map((p) => p.trim()) : [];
    const socket = new WebSocket(`ws://127.0.0.1:${port}${BRIDGE_SOCKET_PATH}`, offered, { headers: rest });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Sends one request on a `ws` socket and waits for the reply with its id. */
export function ask(socket: WebSocket, frame: { id: number; channel: string; request: unknown }): Promise<{ id: number; result: { ok: boolean; value?: unknown; error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const reply = JSON.parse(data.toString()) as { id?: number };
      if (reply.id !== frame.id) return;
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve(reply as never);
    };
    const onClose = (code: number) => reject(new Error(`socket closed (${code}) before the reply to ${frame.id}`));
    socket.on('message', onMessage);
    socket.once('close', onClose);
    socket.send(JSON.stringify(frame));
  });
}

export interface FrameSpec {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  /** Clients must mask; false sends the payload in the clear. */
  masked?: boolean;
  /** Announce this payload length instead of the real one (the 64-bit form when above 65535). */
  announcedLength?: bigint;
  rsv?: number;
}

/** One WebSocket frame, byte by byte, as a client would send it (or would not). */
export function buildFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const masked = spec.masked ?? true;
  const length = spec.announcedLength ?? BigInt(payload.length);
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  let header: Buffer;
  if (length < 126n) header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)]);
  else if (length < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

export interface RawSocket {
  socket: Socket;
  /** Resolves when the TCP connection ends, whoever ended it. */
  ended: Promise<void>;
  /** Bytes the server sent after the handshake. */
  received(): Buffer;
}

/** A TCP connection that has completed the WebSocket handshake with this session; frames are written by hand. */
export function openRawSocket(session: BridgeSessionCredentials): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const headers = handshakeHeaders(session);
    const lines = [
      `GET ${BRIDGE_SOCKET_PATH} HTTP/1.1`,
      `Host: 127.0.0.1:${session.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    const socket = connect(session.port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let handshaken = false;
    const ended = new Promise<void>((resolveEnd) => socket.once('close', () => resolveEnd()));
    socket.on('error', () => {}); // a reset after the server closes is expected; `ended` reports the end
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (handshaken) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      buffer = buffer.subarray(end + 4);
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(accept)) {
        reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        socket.destroy();
        return;
      }
      handshaken = true;
      resolve({ socket, ended, received: () => buffer });
    });
    socket.once('close', () => {
      if (!handshaken) reject(new Error('closed during the handshake'));
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** The close code in the first close frame (opcode 8) the server sent, if any. */
export function serverCloseCode(bytes: Buffer): number | null {
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    const opcode = bytes[offset]! & 0x0f;
    let length = bytes[offset + 1]! & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      start += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(offset + 2));
      start += 8;
    }
    if (opcode === 8) return length >= 2 ? bytes.readUInt16BE(start) : 1005;
    offset = start + length;
  }
  return null;
}
