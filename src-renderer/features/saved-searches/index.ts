/**
 * Saved searches in the UI. Mount <SavedSearches /> beside the secrets list's
 * filters; the migration view reads `useSavedSearches` for its selection.
 */
export { SavedSearches } from './SavedSearches.js';
export { loadSavedSearches, useSavedSearches } from './saved-searches-state.js';
