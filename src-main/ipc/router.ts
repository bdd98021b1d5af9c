/**
 * The IPC router: the single place where renderer requests enter main. It
 * rejects unknown channels and oversized requests, parses each request with
 * its channel's schema, and turns every outcome into a typed IpcResult.
 * It never throws and never echoes request contents into errors.
 */
import { MAX_REQUEST_CHARS, channels, type Channel, type ChannelResult, type IpcResult, type ParsedRequest } from '../../src-shared/contract.js';

export type Handlers = {
  [C in Channel]: (request: ParsedRequest<C>) => Promise<ChannelResult<C>> | ChannelResult<C>;
};

export interface RouterHooks {
  /** Turns a thrown value into a typed error. */
  toError(error: unknown): import('../../src-shared/contract.js').IpcError;
  /** Called before every valid request is handled (the idle timer listens); what it returns is called once the request ended. */
  onRequest?(channel: Channel): (() => void) | void;
}

function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

export function createRouter(handlers: Handlers, hooks: RouterHooks) {
  return async function route(channel: string, request: unknown): Promise<IpcResult<Channel>> {
    if (typeof channel !== 'string' || !isChannel(channel)) {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown request type.' } };
    }
    let size: number;
    try {
      size = JSON.stringify(request ?? null).length;
    } catch {
      return { ok: false, error: { code: 'INVALID_REQUEST', message: 'The request is not plain data.' } };
    }
    const limit = 'maxChars' in channels[channel] ? (channels[channel] as { maxChars: number }).maxChars : MAX_REQUEST_CHARS;
    if (size > limit) {
      return { ok: false, error: { code: 'TOO_LARGE', message: `The request is larger than ${limit} characters.` } };
    }
    const parsed = channels[channel].request.safeParse(request ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
      return { ok: false, error: { code: 'INVALID_REQUEST', message: `Invalid request: ${summary}`, issues } };
    }
    const ended = hooks.onRequest?.(channel);
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      return { ok: true, value } as IpcResult<Channel>;
    } catch (error) {
      return { ok: false, error: hooks.toError(error) };
    } finally {
      ended?.();
    }
  };
}
