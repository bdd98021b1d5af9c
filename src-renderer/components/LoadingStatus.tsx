import type { ReactNode } from 'react';

/** Says what is loading, beside a spinner, as a polite status. */
export function LoadingStatus({ children }: { children: ReactNode }) {
  return (
    <p className="field__hint" role="status">
      <span className="spinner" aria-hidden="true" /> {children}
    </p>
  );
}
