import { useEffect } from 'react';
import type { ThemeChoice } from '../../../src-shared/contract.js';

/**
 * Puts the chosen scheme on <html data-theme>, where styles.css turns it into
 * color-scheme. "system" (also before main has answered) leaves the choice to
 * prefers-color-scheme, so the OS switching themes is followed at once.
 */
export function useAppliedTheme(theme: ThemeChoice | undefined): void {
  useEffect(() => {
    document.documentElement.dataset.theme = theme ?? 'system';
  }, [theme]);
}
