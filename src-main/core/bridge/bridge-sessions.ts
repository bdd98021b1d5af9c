/**
 * Who may drive the loopback bridge: one-time launch codes, and the sessions
 * they open.
 *
 * - A launch code is 256 random bits carried in a launch URL. It opens one
 *   session and is then useless, so a URL read later from a screen, a history
 *   file or a process listing grants nothing.
 * - A session is two secrets: an HttpOnly cookie, and a page secret the page
 *   receives in the URL fragment (never sent to any server, never in a
 *   Referer) and keeps in its own origin's sessionStorage. A WebSocket needs
 *   both. Cookies ignore ports, so any other server on 127.0.0.1 the browser
 *   visits receives the cookie; the page secret it never sees.
 * - Only SHA-256 digests of the secrets are kept, so looking one up costs the
 *   same whatever an attacker sends.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX } from '../../../src-shared/contract.js';

/** Sessions kept at once; the oldest goes first. Each needs a launch code the owner asked for. */
const MAX_SESSIONS = 16;

export interface BridgeSession {
  /** Sockets open on this session. */
  readonly sockets: Set<WebSocket>;
  /** Requests received on this session and not yet answered, and their size. */
  inFlight: { requests: number; chars: number };
}

interface StoredSession extends BridgeSession {
  pageSecretDigest: string;
}

export interface OpenedSession {
  /** The cookie value: identifies the session, does not authorize a socket alone. */
  cookie: string;
  /** Handed to the page in the redirect's fragment. */
  pageSecret: string;
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export class BridgeSessions {
  private readonly launchCodes = new Map<string, () => void>();
  private readonly sessions = new Map<string, StoredSession>();

  /** A new one-time code; `onRedeemed` runs when it is used. */
  issueLaunchCode(onRedeemed: () => void = () => {}): string {
    const code = secret();
    this.launchCodes.set(digest(code), onRedeemed);
    return code;
  }

  /** Spends a launch code on a new session; null when the code is unknown or already used. */
  redeem(code: string): OpenedSession | null {
    const key = digest(code);
    const onRedeemed = this.launchCodes.get(key);
    if (!onRedeemed) return null;
    this.launchCodes.delete(key);
    const opened = { cookie: secret(), pageSecret: secret() };
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(digest(opened.cookie), {
      pageSecretDigest: digest(opened.pageSecret),
      sockets: new Set(),
      inFlight: { requests: 0, chars: 0 },
    });
    onRedeemed();
    return opened;
  }

  /** The session a cookie names, for serving the app's static files. */
  byCookie(cookie: string | null): BridgeSession | null {
    return cookie === null ? null : (this.sessions.get(digest(cookie)) ?? null);
  }

  /** The session only when the cookie and its page secret both match: what a WebSocket needs. */
  byCookieAndPageSecret(cookie: string | null, pageSecret: string | null): BridgeSession | null {
    if (cookie === null || pageSecret === null) return null;
    const session = this.sessions.get(digest(cookie));
    return session && session.pageSecretDigest === digest(pageSecret) ? session : null;
  }
}

/** The page secret among the subprotocols a WebSocket handshake offered, if any. */
export function offeredPageSecret(protocolHeader: string | undefined): string | null {
  for (const protocol of (protocolHeader ?? '').split(',')) {
    const trimmed = protocol.trim();
    if (trimmed.startsWith(BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX)) return trimmed.slice(BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX.length);
  }
  return null;
}
