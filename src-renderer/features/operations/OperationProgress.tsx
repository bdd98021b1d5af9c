import type { OperationState } from './use-operation.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { phaseText } from './progress-text.js';

/** The bar of a long operation, named `label`, saying what its current phase counts. */
export function OperationProgress({ label, progress }: { label: string; progress: OperationState }) {
  return (
    <ProgressBar
      label={label}
      done={progress.done}
      total={progress.total}
      startedAt={progress.startedAt}
      describe={(done, total) => phaseText(progress.phase, done, total)}
    />
  );
}
