/**
 * Saved searches (src-shared/saved-search-contract.ts) as the renderer keeps
 * them: one list, read from main when a view that shows them opens and after
 * every change, shared by the secrets list and the migration view.
 */
import { create } from 'zustand';
import type { SavedSearch, SecretFilter } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';

export const useSavedSearches = create<{ items: SavedSearch[]; loaded: boolean }>()(() => ({ items: [], loaded: false }));

export async function loadSavedSearches(): Promise<void> {
  const { items } = await call('searches.list', {});
  useSavedSearches.setState({ items, loaded: true });
}

export async function saveSearch(name: string, filter: SecretFilter): Promise<SavedSearch> {
  const saved = await call('searches.save', { name, filter });
  await loadSavedSearches();
  return saved;
}

export async function deleteSearch(id: string): Promise<void> {
  const { items } = await call('searches.delete', { id });
  useSavedSearches.setState({ items, loaded: true });
}

/** A new name for a saved search; refused (NAME_TAKEN) when another search has it in any case. */
export async function renameSearch(id: string, name: string): Promise<SavedSearch> {
  const renamed = await call('searches.rename', { id, name });
  await loadSavedSearches();
  return renamed;
}
