/**
 * The lasting state of key work (issue 10): a master key rotation or KMS re-wrap running, interrupted and
 * waiting for an unlock, or how it last ended. Mount:
 * - <KeyWorkSection /> in Settings, next to "Rotate master key…";
 * - <ManagerKeyWork manager={m} /> in a manager's row (it is inside <ManagerHealth compact />).
 */
export { KeyWorkSection, ManagerKeyWork } from './KeyWorkStatus.js';
