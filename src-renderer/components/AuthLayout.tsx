import type { ReactNode } from 'react';

/** The centred card the first-run and unlock screens share. */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth__card">
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark" />
          Strongroom
        </div>
        <h1 className="auth__title">{title}</h1>
        <p className="auth__subtitle">{subtitle}</p>
        {children}
      </div>
    </main>
  );
}
