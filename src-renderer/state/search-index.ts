/**
 * Whether main's search index is still being built (after an unlock, or
 * after another process changed the store): list replies say `indexing`
 * meanwhile, and a `secrets.indexed` event says when it is ready. The
 * sidebar shows a quiet status while it builds.
 */
import { create } from 'zustand';

export interface SearchIndexState {
  indexing: boolean;
  /** How many names are being indexed, when a reply covered the whole store; null otherwise. */
  names: number | null;
}

export const useSearchIndex = create<SearchIndexState>()(() => ({ indexing: false, names: null }));

/** From every list reply: `wholeStore` when the reply had no search or filter, so its total is every name. */
export function noteListReply(indexing: boolean, total: number, wholeStore: boolean): void {
  useSearchIndex.setState((state) => ({ indexing, names: indexing ? (wholeStore ? total : state.names) : null }));
}

export function noteIndexReady(): void {
  useSearchIndex.setState({ indexing: false, names: null });
}
