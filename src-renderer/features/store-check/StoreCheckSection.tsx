import { useState } from 'react';
import { call } from '../../api/call.js';
import { describeError } from '../../lib/errors.js';
import { refreshStatus } from '../../state/session.js';
import { useSession } from '../../state/stores.js';
import { restoreAdvice, storeCheckSummary } from './store-check-text.js';

/** Settings: when SQLite last checked the store file, what it found, and a way to check now. */
export function StoreCheckSection() {
  const check = useSession((s) => s.status?.storeCheck ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const checkNow = async () => {
    setBusy(true);
    setError(null);
    try {
      await call('store.check', {});
      await refreshStatus();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="store-check-title">
      <h3 id="store-check-title" className="section-title">
        Store file
      </h3>
      <div className="settings-actions">
        <div>
          {/* aria-disabled, not disabled, so focus stays on the button while it works. */}
          <button type="button" className="btn" onClick={() => !busy && void checkNow()} aria-disabled={busy} aria-describedby="store-check-status">
            {busy ? 'Checking…' : 'Check now'}
          </button>
          <p className="field__hint" id="store-check-status" role="status">
            {storeCheckSummary(check)}
          </p>
          {check && !check.ok && (
            <div className="banner banner--danger banner--block">
              <ul aria-label="Problems SQLite found">
                {check.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
              <p>{restoreAdvice}</p>
            </div>
          )}
          {error && (
            <p className="field__error" role="alert">
              {error}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
