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

/** The preload's global, checked by shape: the page's own scripts could have put anything at that name. */
function isPreloadApi(candidate: unknown): candidate is StrongroomApi {
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    'invoke' in candidate &&
    typeof candidate.invoke === 'function' &&
    'onEvent' in candidate &&
    typeof candidate.onEvent === 'function'
  );
}

function preloadApi(): StrongroomApi | null {
  const candidate: unknown = API_GLOBAL in window ? window[API_GLOBAL] : undefined;
  return isPreloadApi(candidate) ? candidate : null;
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
