import { useEffect, useState } from 'react';
import type { Settings } from '../../src-shared/contract.js';
import { useAutoLock } from '../hooks/use-auto-lock.js';
import { useShortcuts } from '../hooks/use-shortcuts.js';
import { describeError } from '../lib/errors.js';
import { reloadCatalog } from '../state/catalog.js';
import { lockVault } from '../state/session.js';
import { goTo, sections, useNavigation } from '../state/navigation.js';
import { showToast } from '../state/stores.js';
import { ApplicationsView } from './ApplicationsView.js';
import { AuditView } from './AuditView.js';
import { Brand } from './Brand.js';
import { ManagersView } from './ManagersView.js';
import { SecretsView } from './SecretsView.js';
import { SettingsView } from './SettingsView.js';

export function MainScreen({ settings }: { settings: Settings }) {
  const section = useNavigation((s) => s.section);
  const [creating, setCreating] = useState(false);
  const [focusSearchSignal, setFocusSearchSignal] = useState(0);

  useAutoLock(settings.autoLockMinutes);

  // Filters, scope editors and the Vault manager choice all read the catalog.
  useEffect(() => {
    reloadCatalog().catch((err: unknown) => showToast(describeError(err)));
  }, []);

  const lock = () => void lockVault('user').catch((err: unknown) => showToast(describeError(err)));

  useShortcuts({
    lock,
    'new-secret': () => {
      goTo('secrets');
      setCreating(true);
    },
    'focus-search': () => {
      goTo('secrets');
      setFocusSearchSignal((n) => n + 1);
    },
  });

  return (
    <div className="shell">
      <header className="topbar">
        <Brand decorative />
        {/* One h1 per page; each view's title is an h2 under it. */}
        <h1 className="visually-hidden">Strongroom</h1>
        <nav className="tabs" aria-label="Sections">
          {sections.map(({ id, label }) => (
            <button
              key={id}
              type="button"
              className="tabs__tab"
              aria-current={section === id ? 'page' : undefined}
              onClick={() => goTo(id)}
            >
              {label}
            </button>
          ))}
        </nav>
        <button type="button" className="btn btn--ghost" onClick={lock} aria-keyshortcuts="Control+L" title="Lock now (Ctrl+L)">
          <span className="lock-icon" aria-hidden="true" />
          Lock now
        </button>
      </header>
      <main className="content">
        {section === 'secrets' && (
          <SecretsView creating={creating} onCreatingChange={setCreating} focusSearchSignal={focusSearchSignal} />
        )}
        {section === 'applications' && <ApplicationsView />}
        {section === 'managers' && <ManagersView />}
        {section === 'audit' && <AuditView />}
        {section === 'settings' && <SettingsView settings={settings} />}
      </main>
    </div>
  );
}
