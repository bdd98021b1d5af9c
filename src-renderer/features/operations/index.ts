/**
 * Long operations that run in main and report progress (backup export and
 * restore, bulk scope edits): `useOperation` runs one under its own id and
 * stops it, `<OperationProgress />` draws its bar.
 */
export { OperationProgress } from './OperationProgress.js';
export { useOperation, type OperationState } from './use-operation.js';
