import { goTo } from '../../state/navigation.js';
import { useSession } from '../../state/stores.js';
import { restoreAdvice } from './store-check-text.js';

/** Shown on every view while the last check of the store file found problems, so nobody keeps writing to it unaware. */
export function StoreCheckBanner() {
  const check = useSession((s) => s.status?.storeCheck ?? null);
  if (!check || check.ok) return null;
  return (
    <div className="banner banner--danger" role="alert">
      <span>
        The store file is damaged: {check.problems[0] ?? 'SQLite reported a problem'}. {restoreAdvice}
      </span>
      <button type="button" className="btn btn--small" onClick={() => goTo('settings')}>
        Show details
      </button>
    </div>
  );
}
