import type { KeyWork } from '../../../src-shared/contract.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useSubscription } from '../../hooks/use-subscription.js';
import { formatDateTime } from '../../lib/format.js';
import { followKeyWork, useKeyWork } from './key-work-state.js';
import { keyWorkStateLabels, keyWorkTones, progressText } from './key-work-text.js';
import './key-work.css';

function workTitle(item: KeyWork): string {
  return item.work === 'keyring.rotate' ? 'Master key rotation' : `Re-wrap of ${item.managerName ?? 'a manager'}`;
}

function KeyWorkEntry({ item }: { item: KeyWork }) {
  const progress = progressText(item);
  return (
    <li className="key-work__item">
      <div className="key-work__head">
        <span className="key-work__title">{workTitle(item)}</span>
        <span className={`pill tinted is-${keyWorkTones[item.state]}`}>{keyWorkStateLabels[item.state]}</span>
        {item.resumed && <span className="key-work__when">resumed after an unlock</span>}
        {item.at && item.state !== 'running' && <span className="key-work__when">{formatDateTime(item.at)}</span>}
      </div>
      <p className="key-work__message">{item.message}</p>
      {item.state === 'running' && item.progress && (
        <ProgressBar
          label={`${workTitle(item)} progress`}
          done={item.progress.done}
          total={item.progress.total}
          startedAt={Date.parse(item.at ?? '')}
          describe={() => progress ?? ''}
        />
      )}
    </li>
  );
}

/**
 * Settings, next to "Rotate master key…": the key work main keeps (keys.status) while it runs and how it last
 * ended, including a rotation or re-wrap an earlier start left interrupted and the next unlock finishes.
 */
export function KeyWorkSection() {
  useSubscription(followKeyWork);
  const { items, loaded } = useKeyWork();
  return (
    <section className="settings-section key-work" aria-labelledby="key-work-title">
      <h3 id="key-work-title" className="section-title">
        Key rotation status
      </h3>
      <div role="status" aria-live="polite">
        {!loaded ? (
          <p className="field__hint">Checking…</p>
        ) : items.length === 0 ? (
          <p className="field__hint">No master key rotation or KMS re-wrap has run or waits in this store.</p>
        ) : (
          <ul className="key-work__list" aria-label="Key work">
            {items.map((item) => (
              <KeyWorkEntry key={`${item.work}:${item.managerId ?? ''}`} item={item} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

/**
 * In a manager's table row: its re-wrap while it runs (with its figures), or interrupted, or how the last one
 * ended; the message in the tooltip and the accessible name. Nothing for a manager no re-wrap ran for.
 */
export function ManagerKeyWork({ manager }: { manager: { id: string; name: string } }) {
  useSubscription(followKeyWork);
  const item = useKeyWork((state) => state.items.find((entry) => entry.work === 'managers.rewrap' && entry.managerId === manager.id));
  if (!item) return null;
  const progress = progressText(item);
  const label = `Re-wrap of ${manager.name}: ${keyWorkStateLabels[item.state]}${progress ? `, ${progress}` : ''}`;
  return (
    <span className={`pill tinted is-${keyWorkTones[item.state]} key-work__pill`} title={item.message} aria-label={`${label}. ${item.message}`} role="status">
      Re-wrap: {keyWorkStateLabels[item.state]}
      {item.state === 'running' && item.progress ? ` ${item.progress.done}/${item.progress.total}` : ''}
    </span>
  );
}
