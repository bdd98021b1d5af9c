/**
 * HTTP for WinRM over one kept-alive connection, and the multipart framing
 * of encrypted messages ([MS-WSMV] 2.2.9.1).
 *
 * NTLM and Kerberos authenticate the connection, not the request: every
 * request after the handshake must travel on the same socket. The connection
 * is opened (and timed) by the tester; the agent hands out that one socket
 * and refuses to open another, so a server that drops the connection shows
 * up as an error instead of a silent, unauthenticated reconnect.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ConnectionFailure } from '../report.js';

export interface MessageSealer {
  /** The protocol named in the multipart Content-Type. */
  protocol: string;
  /** For the report: what protects messages. */
  description: string;
  wrap(plain: Buffer): Promise<{ header: Buffer; data: Buffer }>;
  unwrap(header: Buffer, data: Buffer): Promise<Buffer>;
}

export interface Challenge {
  scheme: string;
  /** A token (Negotiate, NTLM, Kerberos) or parameters (Basic realm="WSMAN"). */
  param: string;
}

export interface HttpReply {
  status: number;
  contentType: string;
  challenges: Challenge[];
  body: Buffer;
}

export class ConnectionClosedError extends Error {}

/** Parses WWW-Authenticate header lines; one line may hold several comma-separated challenges. */
export function parseChallenges(lines: string[]): Challenge[] {
  const challenges: Challenge[] = [];
  for (const line of lines) {
    for (const piece of line.split(',')) {
      const match = /^\s*([A-Za-z][\w-]*)(?:\s+(.*))?$/.exec(piece);
      // A piece like `charset="UTF-8"` continues the previous challenge's parameters.
      if (match && !/^\s*[\w-]+\s*=/.test(piece)) challenges.push({ scheme: match[1]!, param: (match[2] ?? '').trim() });
      else if (challenges.length > 0) challenges[challenges.length - 1]!.param += `,${piece}`;
    }
  }
  return challenges;
}

export class WinrmHttp {
  private readonly agent: http.Agent;
  private socketHandedOut = false;

  constructor(
    private readonly socket: Duplex,
    private readonly hostHeader: string,
    private readonly timeoutMs: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    // The cast stays: Node's agent takes a failure through the callback with no socket
    // (it ignores the socket when there is an error), but its typings demand one.
    this.agent.createConnection = ((_options: unknown, callback: (error: Error | null, socket?: Duplex) => void) => {
      if (this.socketHandedOut) {
        callback(new ConnectionClosedError('the server closed the connection'));
        return undefined;
      }
      this.socketHandedOut = true;
      return this.socket;
    }) as unknown as http.Agent['createConnection'];
  }

  send(headers: Record<string, string>, body: Buffer): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const request = http.request({
        agent: this.agent,
        method: 'POST',
        path: '/wsman',
        // Fixed host and port keep every request under the agent's one pool key, hence on the one socket.
        host: 'winrm',
        port: 1,
        headers: { Host: this.hostHeader, 'Content-Length': String(body.length), ...headers },
      });
      const timer = setTimeout(() => {
        request.destroy(new ConnectionFailure('TIMEOUT', `no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          clearTimeout(timer);
          const lines: string[] = [];
          for (let i = 0; i < response.rawHeaders.length; i += 2) {
            if (response.rawHeaders[i]!.toLowerCase() === 'www-authenticate') lines.push(response.rawHeaders[i + 1]!);
          }
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            challenges: parseChallenges(lines),
            body: Buffer.concat(chunks),
          });
        });
        response.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(
          error instanceof ConnectionFailure || error instanceof ConnectionClosedError
            ? error
            : new ConnectionClosedError(`the connection failed: ${error.message}`),
        );
      });
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
    this.socket.destroy();
  }
}

export const ENCRYPTED_BOUNDARY = 'Encrypted Boundary';
const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';

export function encryptedContentType(protocol: string): string {
  return `multipart/encrypted;protocol="${protocol}";boundary="${ENCRYPTED_BOUNDARY}"`;
}

export async function sealBody(sealer: MessageSealer, plain: Buffer): Promise<{ body: Buffer; contentType: string }> {
  const { header, data } = await sealer.wrap(plain);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const body = Buffer.concat([
    Buffer.from(
      `--${ENCRYPTED_BOUNDARY}\r\n` +
        `\tContent-Type: ${sealer.protocol}\r\n` +
        `\tOriginalContent: type=${SOAP_TYPE};Length=${plain.length}\r\n` +
        `--${ENCRYPTED_BOUNDARY}\r\n` +
        '\tContent-Type: application/octet-stream\r\n',
      'latin1',
    ),
    length,
    header,
    data,
    Buffer.from(`--${ENCRYPTED_BOUNDARY}--\r\n`, 'latin1'),
  ]);
  return { body, contentType: encryptedContentType(sealer.protocol) };
}

export class EncryptedFramingError extends Error {}

/** Splits an encrypted body into its declared length, signature/header and data. */
export function splitEncryptedBody(body: Buffer): { length: number; header: Buffer; data: Buffer } {
  const text = body.toString('latin1');
  const first = `--${ENCRYPTED_BOUNDARY}\r\n`;
  const end = `--${ENCRYPTED_BOUNDARY}--\r\n`;
  if (!text.startsWith(first) || !text.endsWith(end)) throw new EncryptedFramingError('encrypted body without its boundaries');
  const second = text.indexOf(first, first.length);
  const lengthMatch = /Length=(\d+)/.exec(text.slice(0, second));
  if (second === -1 || !lengthMatch) throw new EncryptedFramingError('encrypted body without its original length');
  const partHeaderEnd = text.indexOf('\r\n', second + first.length);
  if (partHeaderEnd === -1) throw new EncryptedFramingError('encrypted body without its octet-stream part');
  const payload = body.subarray(partHeaderEnd + 2, body.length - end.length);
  if (payload.length < 4) throw new EncryptedFramingError('encrypted payload too short');
  const headerLength = payload.readUInt32LE(0);
  if (4 + headerLength > payload.length) throw new EncryptedFramingError('encrypted payload shorter than its signature');
  return { length: Number(lengthMatch[1]), header: payload.subarray(4, 4 + headerLength), data: payload.subarray(4 + headerLength) };
}

export async function openBody(sealer: MessageSealer, body: Buffer): Promise<Buffer> {
  const { length, header, data } = splitEncryptedBody(body);
  const plain = await sealer.unwrap(header, data);
  if (plain.length !== length) throw new EncryptedFramingError('decrypted length differs from the declared length');
  return plain;
}

export function isEncrypted(contentType: string): boolean {
  return /^multipart\/encrypted/i.test(contentType.trim());
}
