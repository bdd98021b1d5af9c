import { useEffect, useEffectEvent } from 'react';
import { matchShortcut, type ShortcutAction } from '../lib/shortcuts.js';

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
}

/** Window-wide shortcuts while the main screen shows. */
export function useShortcuts(handlers: Record<ShortcutAction, () => void>): void {
  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    const action = matchShortcut({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      shiftKey: event.shiftKey,
      inTextField: isTextField(event.target),
      dialogOpen: document.querySelector('dialog[open]') !== null,
    });
    if (!action) return;
    event.preventDefault();
    handlers[action]();
  });

  useEffect(() => {
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
