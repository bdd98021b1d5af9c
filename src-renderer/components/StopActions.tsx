/**
 * The footer of a dialog while its long operation runs: a button that stops
 * it at its next safe point, and the running action, busy. When the
 * operation cannot be stopped any more, the stop button is disabled and says
 * why.
 */
export function StopActions({
  label,
  busyLabel,
  stopping,
  onStop,
  unavailable,
}: {
  label: string;
  busyLabel: string;
  stopping: boolean;
  onStop: () => void;
  unavailable?: string | undefined;
}) {
  return (
    <div className="dialog__actions">
      <button type="button" className="btn" onClick={onStop} disabled={stopping || unavailable !== undefined} aria-describedby={unavailable ? 'stop-unavailable' : undefined}>
        {stopping ? 'Stopping…' : label}
      </button>
      {unavailable && (
        <span className="field__hint" id="stop-unavailable">
          {unavailable}
        </span>
      )}
      <button type="button" className="btn btn--primary" disabled aria-busy>
        {busyLabel}
      </button>
    </div>
  );
}
