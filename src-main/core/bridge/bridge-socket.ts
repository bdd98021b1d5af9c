/**
 * One authenticated bridge WebSocket: turns frames into router calls and
 * replies, within the limits one client may hold at once.
 *
 * Whatever arrives, the worst outcome is this socket closing: a protocol
 * error (oversized, unmasked, bad opcode, invalid UTF-8) closes it with the
 * code `ws` chose; a frame that is text but not a valid request gets a typed
 * error and the socket stays open, so one bad frame never drops the other
 * requests in flight on it.
 */
import type { RawData, WebSocket } from 'ws';
import { bridgeRequestFrameSchema, type BridgeReplyFrame, type Channel, type IpcError, type IpcResult } from '../../../src-shared/contract.js';
import type { BridgeSession } from './bridge-sessions.js';

/** Requests one session may have in flight at once, across its sockets. */
export const MAX_REQUESTS_IN_FLIGHT = 32;
/** Characters one session may have in flight at once: two of the largest requests. */
export const MAX_CHARS_IN_FLIGHT = 256 * 1024 * 1024;
/** Replies to frames that carry no usable request id use this one, which no request has. */
export const NO_REQUEST_ID = 0;

export interface SocketHandlers {
  handle(channel: string, request: unknown): Promise<IpcResult<Channel>>;
  send(socket: WebSocket, frame: BridgeReplyFrame): void;
  onFrame?(frame: unknown): void;
  onProtocolError?(error: Error): void;
}

function failure(error: IpcError): IpcResult<Channel> {
  return { ok: false, error };
}

/** The id a malformed frame carried, when it is one a client could have sent. */
function requestIdOf(frame: unknown): number {
  if (typeof frame !== 'object' || frame === null || !Object.hasOwn(frame, 'id')) return NO_REQUEST_ID;
  const id = (frame as { id: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 ? id : NO_REQUEST_ID;
}

export function serveSocket(socket: WebSocket, session: BridgeSession, handlers: SocketHandlers): void {
  session.sockets.add(socket);
  socket.on('close', () => session.sockets.delete(socket));
  // ws closes the socket itself after a protocol error; without a listener the error would be thrown and end the process.
  socket.on('error', (error) => handlers.onProtocolError?.(error));

  const reply = (id: number, result: IpcResult<Channel>) => {
    if (socket.readyState === socket.OPEN) handlers.send(socket, { id, result });
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      socket.close(1003, 'Frames must be text.');
      return;
    }
    const text = data.toString();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      reply(NO_REQUEST_ID, failure({ code: 'INVALID_REQUEST', message: 'Frames must be JSON.' }));
      return;
    }
    handlers.onFrame?.(frame);
    const parsed = bridgeRequestFrameSchema.safeParse(frame);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
      reply(requestIdOf(frame), failure({ code: 'INVALID_REQUEST', message: 'Malformed frame: it needs an id, a channel and a request.', issues }));
      return;
    }
    const { id, channel, request } = parsed.data;
    const { inFlight } = session;
    if (inFlight.requests >= MAX_REQUESTS_IN_FLIGHT || inFlight.chars + text.length > MAX_CHARS_IN_FLIGHT) {
      reply(id, failure({ code: 'BUSY', message: 'Too many requests at once. Wait for some to finish, then try again.' }));
      return;
    }
    inFlight.requests += 1;
    inFlight.chars += text.length;
    void handlers
      .handle(channel, request)
      .catch((): IpcResult<Channel> => failure({ code: 'INTERNAL', message: 'Something went wrong inside Strongroom. Details are in the log.' }))
      .then((result) => {
        inFlight.requests -= 1;
        inFlight.chars -= text.length;
        reply(id, result);
      });
  });
}
