interface DialogActionsProps {
  onCancel: () => void;
  label: string;
  /** What the action button says while it runs; the label itself when omitted. */
  busyLabel?: string;
  busy: boolean;
  /** Runs the action; without it the action button submits the dialog's form. */
  onAction?: () => void;
  tone?: 'primary' | 'danger';
  /** Cancel takes the first focus where the action cannot be undone, so Enter is safe. */
  focusCancel?: boolean;
}

/** The footer of a dialog that does one thing: Cancel, then the action, which shows while it runs. */
export function DialogActions({ onCancel, label, busyLabel = label, busy, onAction, tone = 'primary', focusCancel = false }: DialogActionsProps) {
  return (
    <div className="dialog__actions">
      <button type="button" className="btn" onClick={onCancel} data-autofocus={focusCancel || undefined}>
        Cancel
      </button>
      <button type={onAction ? 'button' : 'submit'} className={`btn btn--${tone}`} onClick={onAction} disabled={busy} aria-busy={busy}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}

/** The footer of a dialog that only reports: one button that closes it, focused so Enter dismisses. */
export function DismissAction({ label, onClose }: { label: string; onClose: () => void }) {
  return (
    <div className="dialog__actions">
      <button type="button" className="btn btn--primary" onClick={onClose} data-autofocus>
        {label}
      </button>
    </div>
  );
}
