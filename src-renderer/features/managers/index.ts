/**
 * Secret managers in the UI (issue 4). Mount:
 * - <ManagerActions /> in the Managers page header: "Add manager" and its dialog; it also follows 'managers.changed'.
 * - <ManagerRowActions manager={m} compact /> in each row of the managers table, or <ManagerCard manager={m} /> per manager.
 * - <ManagerHealth manager={m} compact /> in a table cell, or without `compact` in a detail pane.
 */
export { ManagerActions, useManagerChanges } from './ManagerActions.js';
export { ManagerCard } from './ManagerCard.js';
export { ManagerFormDialog } from './ManagerFormDialog.js';
export { ManagerHealth } from './ManagerHealth.js';
export { ManagerRowActions } from './ManagerRowActions.js';
export { ManagerTestDialog } from './ManagerTestDialog.js';
export { kindLabel } from './manager-fields.js';
export { managerRoleLabels } from '../../../src-shared/contract.js';
export { healthView } from './manager-health.js';
