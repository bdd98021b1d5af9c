import { useEffect, useState } from 'react';
import type { Settings } from '../../src-shared/contract.js';
import { useAutoLock } from '../hooks/use-auto-lock.js';
import { useShortcuts } from '../hooks/use-shortcuts.js';
import { describeError } from '../lib/errors.js';
import { reloadCatalog } from '../state/catalog.js';
import { lockVault } from '../state/session.js';
import { goTo, request, sections, useNavigation } from '../state/navigation.js';
import { CommandPalette, modifierLabel } from '../features/palette/index.js';
import { showToast } from '../state/stores.js';
import { ApplicationsView } from './ApplicationsView.js';
import { AuditView } from './AuditView.js';
import { Brand } from './Brand.js';
import { ManagersView } from './ManagersView.js';
import { MigrationView } from '../features/migration/index.js';
import { SecretsView } from './SecretsView.js';
import { SettingsView } from './SettingsView.js';
import { StoreCheckBanner } from '../features/store-check/index.js';
import './main-screen.css';

export function MainScreen({ settings }: { settings: Settings }) {
  const section = useNavigation((s) => s.section);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [focusSearchSignal, setFocusSearchSignal] = useState(0);

  useAutoLock(settings.autoLockMinutes);

  // Filters, scope editors and the Vault manager choice all read the catalog.
  useEffect(() => {
    reloadCatalog().catch((err: unknown) => showToast(describeError(err)));
  }, []);

  const lock = () => void lockVault('user').catch((err: unknown) => showToast(describeError(err)));

  const focusSearch = () => {
    goTo('secrets');
    setFocusSearchSignal((n) => n + 1);
  };
  const modifier = modifierLabel(navigator.platform);

  useShortcuts({
    lock,
    'new-secret': () => request({ kind: 'new-secret', type: 'text' }),
    'focus-search': focusSearch,
    palette: () => setPaletteOpen(true),
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
        <button
          type="button"
          className="btn btn--ghost topbar__palette"
          onClick={() => setPaletteOpen(true)}
          aria-haspopup="dialog"
          aria-keyshortcuts={modifier === 'Cmd' ? 'Meta+K' : 'Control+K'}
          title={`Commands (${modifier}+K)`}
        >
          Commands <kbd className="topbar__kbd" aria-hidden="true">{modifier}+K</kbd>
        </button>
        <button type="button" className="btn btn--ghost" onClick={lock} aria-keyshortcuts={modifier === 'Cmd' ? 'Meta+L' : 'Control+L'} title={`Lock now (${modifier}+L)`}>
          <span className="lock-icon" aria-hidden="true" />
          Lock now
        </button>
      </header>
      <main className="content">
        <StoreCheckBanner />
        {section === 'secrets' && (
          <SecretsView focusSearchSignal={focusSearchSignal} />
        )}
        {section === 'applications' && <ApplicationsView />}
        {section === 'managers' && <ManagersView />}
        {section === 'migration' && <MigrationView />}
        {section === 'audit' && <AuditView />}
        {section === 'settings' && <SettingsView settings={settings} />}
      </main>
      {paletteOpen && <CommandPalette onClose={() => setPaletteOpen(false)} onLock={lock} onFocusSearch={focusSearch} />}
    </div>
  );
}
