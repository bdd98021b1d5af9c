/**
 * Finds the API: Electron's preload exposes it as a global; in a browser the
 * loopback bridge serves it over a WebSocket on the page's own origin.
 */
import { API_GLOBAL, BRIDGE_SOCKET_PATH, type StrongroomApi } from '../../src-shared/contract.js';
import type { ConnectionState } from '../lib/session-state.js';
import { BridgeClient } from './bridge-client.js';
import { bridgeProtocols, takePageSecret } from './bridge-session.js';

export interface Connection {
  api: StrongroomApi;
  state: ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

function preloadApi(): StrongroomApi | null {
  const candidate = (window as unknown as Record<string, unknown>)[API_GLOBAL] as Partial<StrongroomApi> | undefined;
  if (candidate && typeof candidate.invoke === 'function' && typeof candidate.onEvent === 'function') {
    return candidate as StrongroomApi;
  }
  return null;
}

function bridgeUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${BRIDGE_SOCKET_PATH}`;
}

let connection: Promise<Connection> | null = null;

async function connect(): Promise<Connection> {
  const api = preloadApi();
  // IPC to main cannot drop the way a socket can.
  if (api) return { api, state: 'open', onStateChange: () => () => {} };
  const protocols = bridgeProtocols(takePageSecret());
  const client = new BridgeClient(bridgeUrl(), (url) => new WebSocket(url, protocols));
  await client.ready;
  return {
    api: client,
    get state() {
      return client.state;
    },
    onStateChange: (listener) => client.onStateChange(listener),
  };
}

/** The one connection, opened on first use; resolves once requests can be sent. */
export function getConnection(): Promise<Connection> {
  connection ??= connect();
  return connection;
}

export async function getApi(): Promise<StrongroomApi> {
  return (await getConnection()).api;
}
