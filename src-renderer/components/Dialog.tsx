import { useEffect, useEffectEvent, useId, useRef, type ReactNode } from 'react';
import { tabStops } from './tab-stops.js';
import './dialog.css';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Wider layout for forms; the command palette's own shape. */
  size?: 'small' | 'medium' | 'palette';
  /** For a dialog whose first control says what it is: the title still names it for assistive technology. */
  hideTitle?: boolean;
  /** Where focus goes on close when the control that opened the dialog is gone, e.g. after the dialog deleted its row. */
  focusWhenOpenerGone?: () => HTMLElement | null;
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page
 * inert, and Esc arrives as "cancel". Tab and Shift+Tab wrap round inside it
 * (the native dialog lets Tab leave the last control for the browser's own
 * UI). Focus goes to the element marked data-autofocus and returns to the
 * opener on close, or where focusWhenOpenerGone says when the opener no
 * longer exists (focus left on a removed element falls back to the page).
 */
export function Dialog({ title, onClose, children, size = 'small', hideTitle = false, focusWhenOpenerGone }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const requestClose = useEffectEvent(() => onClose());
  const fallbackFocus = useEffectEvent(() => focusWhenOpenerGone?.() ?? null);

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
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab' || event.defaultPrevented) return;
      const stops = tabStops(dialog);
      const first = stops[0];
      const last = stops.at(-1);
      if (!first || !last) {
        event.preventDefault();
        return;
      }
      const at = document.activeElement;
      if (event.shiftKey && (at === first || !dialog.contains(at))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (at === last || !dialog.contains(at))) {
        event.preventDefault();
        first.focus();
      }
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    dialog.addEventListener('keydown', onKeyDown);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
      dialog.removeEventListener('keydown', onKeyDown);
      dialog.close();
      if (opener?.isConnected) opener.focus();
      else fallbackFocus()?.focus();
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
