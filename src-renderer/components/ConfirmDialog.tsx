import { useState, type ReactNode } from 'react';
import { describeError } from '../lib/errors.js';
import { Dialog } from './Dialog.js';
import { DialogActions } from './DialogActions.js';
import { FormError } from './FormError.js';

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  busyLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** What the confirmation is about, shown under the message, e.g. the secrets it changes. */
  children?: ReactNode;
  /** Danger, the default, for what deletes; primary where confirming finishes what the user set out to do. */
  tone?: 'primary' | 'danger';
  size?: 'small' | 'medium';
  /** Where focus goes when confirming removed the control that opened the dialog. */
  focusWhenOpenerGone?: () => HTMLElement | null;
}

/** Asks before something that cannot be undone; Cancel has focus so Enter is safe. */
export function ConfirmDialog({ title, message, confirmLabel, busyLabel, onConfirm, onClose, children, tone = 'danger', size, focusWhenOpenerGone }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} size={size} focusWhenOpenerGone={focusWhenOpenerGone}>
      <p className="dialog__body">{message}</p>
      {children}
      <FormError message={error} />
      <DialogActions onCancel={onClose} label={confirmLabel} busyLabel={busyLabel} busy={busy} onAction={() => void confirm()} tone={tone} focusCancel />
    </Dialog>
  );
}
