import { useEffect, useRef, useState } from 'react';
import type { MigrationFailReason } from '../../../src-shared/contract.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { FormError } from '../../components/FormError.js';
import { Panel } from '../../components/Panel.js';
import { describeError } from '../../lib/errors.js';
import { reloadCatalog } from '../../state/catalog.js';
import { showToast, useCatalog } from '../../state/stores.js';
import { followMigrations, previewMigration, reloadRuns, startMigration } from './migration-api.js';
import { failReasonLabels, isOpenRun, plural, runTitle } from './migration-labels.js';
import { parseConcurrency, parseRate, setPreview, useMigration, watchRun } from './migration-state.js';
import { loadRates } from './migration-rates.js';
import { MigrationRates } from './MigrationRates.js';
import { loadSavedSearches } from '../saved-searches/index.js';
import { MigrationSetup } from './MigrationSetup.js';
import { PreviewTable } from './PreviewTable.js';
import { RunHistory } from './RunHistory.js';
import { RunProgress } from './RunProgress.js';
import { RunReport } from './RunReport.js';
import './migration.css';

/** The reasons that are about the edited name itself: such a name is refused, not kept. */
const NAME_REASONS = new Set<MigrationFailReason>(['name-clash', 'name-invalid', 'name-taken']);

/**
 * Moving secrets between managers: choose, preview, start; then the run's
 * progress and report. The run is main's: leaving this view changes nothing,
 * and coming back shows it again.
 */
export function MigrationView() {
  const managers = useCatalog((s) => s.managers);
  const { draft, preview, runs, watchedRunId } = useMigration();
  const [busy, setBusy] = useState<'preview' | 'start' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  useEffect(() => {
    void followMigrations().catch(() => {});
    reloadRuns()
      .then(() => {
        // Coming back to the view: show the run still open, if the user was not looking at another.
        const { runs: known, watchedRunId: watched } = useMigration.getState();
        if (watched === null) {
          const open = known.find(isOpenRun);
          if (open) watchRun(open.id);
        }
      })
      .catch((err: unknown) => showToast(describeError(err)));
    // Secret counts per manager change as runs move secrets.
    reloadCatalog().catch(() => {});
    loadRates().catch((err: unknown) => showToast(describeError(err)));
    loadSavedSearches().catch((err: unknown) => showToast(describeError(err)));
  }, []);

  const managerName = (id: string) => managers.find((m) => m.id === id)?.name ?? id;
  const target = managers.find((m) => m.id === draft.targetManagerId);
  const watched = runs.find((r) => r.id === watchedRunId) ?? null;
  /** The run's heading, where focus goes once a start has replaced the preview and its Start button with the run. */
  const runHeading = () => document.getElementById('migration-run-title');
  const focusRunWhenShown = useRef(false);
  const shownRunId = watched?.id ?? null;
  useEffect(() => {
    if (shownRunId === null || !focusRunWhenShown.current) return;
    focusRunWhenShown.current = false;
    runHeading()?.focus();
  }, [shownRunId]);

  const runPreview = async (renames = draft.renames) => {
    setBusy('preview');
    setError(null);
    try {
      setPreview(await previewMigration(draft, renames), renames);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  /**
   * Asks the engine about an edited target name. A name it refuses (taken,
   * clashing with another, or not allowed) is not kept: the editor says why
   * and the preview stays as it was.
   */
  const rename = async (secretId: string, name: string) => {
    const renames = { ...draft.renames, [secretId]: name };
    const next = await previewMigration(draft, renames);
    const item = next.items.find((i) => i.secretId === secretId);
    if (item?.outcome === 'fail' && item.reason && NAME_REASONS.has(item.reason)) {
      throw new Error(`${failReasonLabels[item.reason]}: ${item.detail ?? name}`);
    }
    setPreview(next, renames);
  };

  const start = async () => {
    const concurrency = parseConcurrency(draft.concurrency);
    const rate = parseRate(draft.rate);
    if (concurrency === null || rate === null) return;
    setBusy('start');
    setError(null);
    try {
      const run = await startMigration(draft, concurrency, rate);
      focusRunWhenShown.current = true;
      watchRun(run.id);
      useMigration.setState({ preview: null });
      void reloadCatalog().catch(() => {});
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  const movable = preview ? preview.counts.move + preview.counts.rename : 0;

  return (
    <Panel
      titleId="migration-title"
      title="Migration"
      subtitle="Move secrets from one manager to another. Preview first: nothing changes until you start, and a run can be paused, resumed or cancelled."
    >
      {watched ? (
        <section className="settings-section migration-section" aria-labelledby="migration-current-title">
          <div className="settings-section__header">
            <h3 id="migration-current-title" className="section-title">
              {isOpenRun(watched) ? 'Current migration' : 'Migration report'}
            </h3>
            <button type="button" className="btn btn--small" onClick={() => watchRun(null)}>
              New migration
            </button>
          </div>
          <RunProgress run={watched} title={runTitle(watched, managerName)} />
          <RunReport run={watched} />
        </section>
      ) : (
        <section className="settings-section migration-section" aria-labelledby="migration-new-title">
          <h3 id="migration-new-title" className="section-title">
            New migration
          </h3>
          <MigrationSetup draft={draft} managers={managers} busy={busy === 'preview'} onPreview={() => void runPreview()} />
          <FormError message={error} />
          {preview && (
            <section className="migration-section" aria-labelledby="migration-preview-title">
              <h4 id="migration-preview-title" className="migration-run__title">
                Preview
              </h4>
              <PreviewTable
                preview={preview}
                namesEditable={target?.role === 'secret-store'}
                onRename={rename}
              />
              <div className="form__footer">
                <button
                  type="button"
                  className="btn btn--primary"
                  disabled={busy !== null || movable === 0}
                  aria-busy={busy === 'start'}
                  onClick={() => (draft.deleteSource ? setConfirmingDelete(true) : void start())}
                >
                  {busy === 'start' ? 'Starting…' : 'Start migration'}
                </button>
                <p className="field__hint">
                  {movable === 0
                    ? 'No secret can move: change the selection or the target.'
                    : `${plural(movable, 'secret')} will move${preview.counts.fail ? `; ${plural(preview.counts.fail, 'secret')} will be reported as failed and stay where ${preview.counts.fail === 1 ? 'it is' : 'they are'}` : ''}.`}
                </p>
              </div>
            </section>
          )}
        </section>
      )}
      <MigrationRates />
      <section className="settings-section migration-section" aria-labelledby="migration-history-title">
        <h3 id="migration-history-title" className="section-title">
          Past migrations
        </h3>
        <RunHistory runs={runs} watchedRunId={watchedRunId} managerName={managerName} onOpen={watchRun} />
      </section>
      {confirmingDelete && preview && (
        <ConfirmDialog
          title="Delete the source copies?"
          message={`After each of the ${plural(movable, 'secret')} has switched to ${target?.name ?? 'the target'}, its copy in ${managerName(draft.sourceManagerId)} is deleted by that store’s own rules. This cannot be undone from Strongroom.`}
          confirmLabel="Start and delete source copies"
          busyLabel="Starting…"
          onConfirm={start}
          onClose={() => setConfirmingDelete(false)}
          focusWhenOpenerGone={runHeading}
        />
      )}
    </Panel>
  );
}
