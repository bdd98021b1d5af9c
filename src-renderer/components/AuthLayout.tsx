import type { ReactNode } from 'react';
import { Brand } from './Brand.js';
import './auth-layout.css';

/** The centred card the first-run and unlock screens share. */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth__card">
        <Brand large decorative />
        <h1 className="auth__title">{title}</h1>
        <p className="auth__subtitle">{subtitle}</p>
        {children}
      </div>
    </main>
  );
}
