import { useState } from 'react';
import type { MigrationRun } from '../../../src-shared/contract.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { FormError } from '../../components/FormError.js';
import { useBusyAction } from '../../hooks/use-busy-action.js';
import { act } from './migration-api.js';
import { formatDuration, isOpenRun, plural, progressText, runStateLabel, settledCount } from './migration-labels.js';

/** A run's progress bar, its figures, and Pause, Resume and Cancel while it is open. */
export function RunProgress({ run, title }: { run: MigrationRun; title: string }) {
  const { busy, error, run: perform } = useBusyAction<'pause' | 'resume'>();
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const open = isOpenRun(run);
  const working = run.state === 'running' && !run.interrupted;
  const settled = settledCount(run);

  return (
    <div className="migration-run" aria-labelledby="migration-run-title">
      <div className="migration-run__header">
        {/* Focusable by script only: where focus goes once a confirmed cancel has taken the Cancel button away. */}
        <h4 id="migration-run-title" className="migration-run__title" tabIndex={-1}>
          {title}
        </h4>
        <span className={`pill migration-state migration-state--${run.interrupted ? 'interrupted' : run.state}`}>{runStateLabel(run)}</span>
      </div>
      <div className="progress">
        <progress
          className="progress__bar"
          max={Math.max(run.total, 1)}
          value={settled}
          aria-label="Migration progress"
          aria-valuetext={`${progressText(run)}${run.failed ? `, ${plural(run.failed, 'error')}` : ''}`}
        />
      </div>
      <dl className="migration-run__figures">
        <div>
          <dt>Done</dt>
          <dd>{progressText(run)}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>{working ? `${run.ratePerSecondNow.toLocaleString('en')} secrets/s` : '—'}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd>{working ? formatDuration(run.etaSeconds) : '—'}</dd>
        </div>
        <div>
          <dt>Errors so far</dt>
          <dd className={run.failed ? 'migration-run__errors' : undefined}>{run.failed.toLocaleString('en')}</dd>
        </div>
        {run.cancelled > 0 && (
          <div>
            <dt>Cancelled</dt>
            <dd>{run.cancelled.toLocaleString('en')}</dd>
          </div>
        )}
      </dl>
      {run.interrupted && (
        <p className="migration-warning">The process that ran this migration stopped before it finished. Resume continues from its journal: nothing moves twice.</p>
      )}
      {run.lastError && <p className="field__hint">Last error: {run.lastError}</p>}
      {open && (
        <div className="migration-run__actions">
          {working ? (
            <button type="button" className="btn" disabled={busy !== null} onClick={() => void perform('pause', async () => void (await act('migration.pause', run.id)))}>
              {busy === 'pause' ? 'Pausing…' : 'Pause'}
            </button>
          ) : (
            <button type="button" className="btn btn--primary" disabled={busy !== null} onClick={() => void perform('resume', async () => void (await act('migration.resume', run.id)))}>
              {busy === 'resume' ? 'Resuming…' : 'Resume'}
            </button>
          )}
          <button type="button" className="btn btn--danger-ghost" onClick={() => setConfirmingCancel(true)}>
            Cancel migration…
          </button>
        </div>
      )}
      <FormError message={error} />
      {confirmingCancel && (
        <ConfirmDialog
          title="Cancel this migration?"
          message="Secrets that have already switched stay in the target. The others stay where they are, and copies already written into the target for them are removed."
          confirmLabel="Cancel migration"
          busyLabel="Cancelling…"
          onConfirm={async () => void (await act('migration.cancel', run.id))}
          onClose={() => setConfirmingCancel(false)}
          focusWhenOpenerGone={() => document.getElementById('migration-run-title')}
        />
      )}
    </div>
  );
}
