import { useEffect, useState } from 'react';
import { useAppliedTheme } from '../features/appearance/index.js';
import { describeError } from '../lib/errors.js';
import { refreshStatus, startSession } from '../state/session.js';
import { useSession } from '../state/stores.js';
import { Brand } from './Brand.js';
import { FirstRunScreen } from './FirstRunScreen.js';
import { FormError } from './FormError.js';
import { MainScreen } from './MainScreen.js';
import { Toasts } from './Toasts.js';
import { UnlockScreen } from './UnlockScreen.js';
import './auth-layout.css';

export function App() {
  const phase = useSession((s) => s.phase);
  const connection = useSession((s) => s.connection);
  const settings = useSession((s) => s.status?.settings);
  const [startError, setStartError] = useState<string | null>(null);
  useAppliedTheme(settings?.theme);

  useEffect(() => {
    startSession().catch((err: unknown) => setStartError(describeError(err)));
  }, []);

  const retry = () => {
    setStartError(null);
    refreshStatus().catch((err: unknown) => setStartError(describeError(err)));
  };

  return (
    <>
      {connection === 'lost' && (
        <div className="connection-banner" role="alert">
          <span className="spinner" aria-hidden="true" />
          Connection to Strongroom lost. Reconnecting…
        </div>
      )}
      {phase === 'connecting' && (
        <main className="auth">
          <div className="auth__card auth__card--center">
            <Brand large />
            {startError ? (
              <>
                <FormError message={startError} />
                <button type="button" className="btn btn--primary" onClick={retry}>
                  Try again
                </button>
              </>
            ) : (
              <p className="auth__subtitle">
                <span className="spinner" aria-hidden="true" /> Connecting…
              </p>
            )}
          </div>
        </main>
      )}
      {phase === 'first-run' && <FirstRunScreen />}
      {phase === 'locked' && <UnlockScreen />}
      {phase === 'unlocked' && settings && <MainScreen settings={settings} />}
      <Toasts />
    </>
  );
}
