/**
 * The page secret that binds this page to its bridge session. The launch
 * redirect hands it over in the URL fragment; it moves at once into this
 * origin's sessionStorage (other ports and other origins cannot read it, and
 * a reload of this tab keeps it) and leaves the address bar and history.
 */
import { BRIDGE_PAGE_SECRET_FRAGMENT, BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX, BRIDGE_PROTOCOL } from '../../src-shared/contract.js';

const STORAGE_KEY = 'strongroom.bridgePageSecret';

/** Takes the secret out of the fragment if it is there, else the one this tab kept. */
export function takePageSecret(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const handed = fragment.get(BRIDGE_PAGE_SECRET_FRAGMENT);
  if (handed) {
    sessionStorage.setItem(STORAGE_KEY, handed);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

/** The subprotocols to offer on the bridge's WebSocket: the bridge's own, then the page secret. */
export function bridgeProtocols(pageSecret: string | null): string[] {
  return pageSecret ? [BRIDGE_PROTOCOL, `${BRIDGE_PAGE_SECRET_PROTOCOL_PREFIX}${pageSecret}`] : [BRIDGE_PROTOCOL];
}
