import { useEffect, useEffectEvent, useId, useRef, type ReactNode } from 'react';
import './dialog.css';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Wider layout for forms; the command palette's own shape. */
  size?: 'small' | 'medium' | 'palette';
  /** For a dialog whose first control says what it is: the title still names it for assistive technology. */
  hideTitle?: boolean;
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page
 * inert, which keeps Tab inside the dialog, and Esc arrives as "cancel".
 * Focus goes to the element marked data-autofocus and returns to the opener
 * on close.
 */
export function Dialog({ title, onClose, children, size = 'small', hideTitle = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const requestClose = useEffectEvent(() => onClose());

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault();
      requestClose();
    };
    // Chromium ignores preventDefault on a repeated Esc without user activation and closes anyway.
    const onNativeClose = () => requestClose();
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
      dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} className={`dialog dialog--${size}`} aria-labelledby={titleId}>
      <h2 id={titleId} className={hideTitle ? 'visually-hidden' : 'dialog__title'}>
        {title}
      </h2>
      {children}
    </dialog>
  );
}
