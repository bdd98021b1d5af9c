/**
 * Connection tests in the UI (issues 5 and 6). Mount:
 * - <ConnectionTestButton secret={s} /> in a secret's detail actions; it renders nothing for types that cannot be tested.
 * - <KnownHostsView /> as a page or settings section.
 * <ConnectionTestDialog> and <ConnectionHistory> are exported for other placements.
 */
export { ConnectionHistory } from './ConnectionHistory.js';
export { ConnectionTestButton } from './ConnectionTestButton.js';
export { ConnectionTestDialog } from './ConnectionTestDialog.js';
export { KnownHostsView } from './KnownHostsView.js';
export { StageLog } from './StageLog.js';
export { defaultPort, isTestable, isTestableSecret } from './connection-form.js';
