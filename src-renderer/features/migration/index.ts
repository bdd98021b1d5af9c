/**
 * Migration between managers and master key rotation in the UI (issue 10). Mount:
 * - <MigrationView /> as the Migration page;
 * - <RotateMasterKeySection /> in Settings.
 */
export { MigrationView } from './MigrationView.js';
export { RotateMasterKeySection } from './RotateMasterKey.js';
