/**
 * The result of SQLite's check of the store file (issue 12). Mount:
 * - <StoreCheckSection /> in Settings;
 * - <StoreCheckBanner /> above every view.
 */
export { StoreCheckBanner } from './StoreCheckBanner.js';
export { StoreCheckSection } from './StoreCheckSection.js';
export { restoreAdvice, storeCheckSummary } from './store-check-text.js';
