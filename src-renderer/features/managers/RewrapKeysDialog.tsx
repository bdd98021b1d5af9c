import { useState } from 'react';
import { managerKindSpec, type ManagerSummary } from '../../../src-shared/contract.js';
import { Dialog } from '../../components/Dialog.js';
import { DialogActions, DismissAction } from '../../components/DialogActions.js';
import { FormError } from '../../components/FormError.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useSubscription } from '../../hooks/use-subscription.js';
import { plural } from '../../lib/format.js';
import { KeyVersionsInUse } from './KeyVersionsInUse.js';
import { managerErrorText } from './manager-form.js';
import { followRewrapProgress, rewrapManager, type RewrapReport } from './managers-api.js';
import './key-rotation.css';

interface Progress {
  done: number;
  total: number;
  /** When the first figure arrived: rate and ETA are measured from it. */
  startedAt: number;
}

const progressWords = (done: number, total: number) => `Re-wrapped ${done.toLocaleString('en')} of ${plural(total, 'wrapped key')}`;

function reportText(manager: Pick<ManagerSummary, 'name'>, report: RewrapReport): string {
  const what = report.rewrapped === 0 ? 'Nothing needed re-wrapping: every wrapped key' : `${plural(report.rewrapped, 'wrapped key')} of ${manager.name}`;
  return `${report.resumed ? 'Resumed the interrupted re-wrap and finished it. ' : ''}${what} ${report.rewrapped === 1 ? 'is' : 'are'} now under ${report.keyVersion}.`;
}

/**
 * After the KMS key of a manager rotated (`rewrapsKeys`): says what re-wrapping does, runs `managers.rewrap`
 * with its progress, and reports what moved and which key versions secrets still need.
 */
export function RewrapKeysDialog({ manager, onClose }: { manager: ManagerSummary; onClose: () => void }) {
  const noun = managerKindSpec(manager.kind)?.rewrapsKeys?.versionNoun ?? 'key version';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [report, setReport] = useState<RewrapReport | null>(null);

  useSubscription(() => followRewrapProgress(manager.id, (done, total) => setProgress((before) => ({ done, total, startedAt: before?.startedAt ?? Date.now() }))));

  const run = async () => {
    setBusy(true);
    setError(null);
    setProgress(null);
    try {
      setReport(await rewrapManager(manager.id));
    } catch (err) {
      setError(`${managerErrorText(err)} Re-wrapping again continues where it stopped: every key is under a ${noun} that still decrypts it.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Re-wrap keys: ${manager.name}`} onClose={onClose} size="medium">
      <div className="rewrap-dialog">
        {report ? (
          <>
            <p className="dialog__body" role="status">
              {reportText(manager, report)}
            </p>
            <KeyVersionsInUse manager={manager} versions={report.keyVersions} />
            <p className="field__hint">
              A {noun} no secret counts any more can be disabled in the provider, and destroyed once you are sure no copy of this store (a backup restored elsewhere)
              still needs it.
            </p>
            <DismissAction label="Done" onClose={onClose} />
          </>
        ) : (
          <>
            <p className="dialog__body">
              Strongroom seals each secret&apos;s data key with an intermediate key, and {manager.name}&apos;s KMS key wraps the intermediate keys. After the KMS key
              rotated, the older wraps still need its old {noun}s. Re-wrapping asks KMS to wrap every intermediate key again under the key&apos;s current {noun}:
            </p>
            <ul className="rewrap-dialog__steps">
              <li>secret values and data keys stay as they are, and every secret stays readable throughout;</li>
              <li>each key is committed as soon as KMS answers, so an interrupted run continues where it stopped;</li>
              <li>closing this dialog does not stop it.</li>
            </ul>
            <KeyVersionsInUse manager={manager} versions={manager.health.keyVersions} />
            {busy && progress && progress.total > 0 && (
              <ProgressBar label={`Re-wrap progress of ${manager.name}`} done={progress.done} total={progress.total} startedAt={progress.startedAt} describe={progressWords} />
            )}
            {busy && !progress && (
              <p className="field__hint" role="status">
                Asking KMS for the key&apos;s current {noun}…
              </p>
            )}
            <FormError message={error} />
            <DialogActions onCancel={onClose} label="Re-wrap keys" busyLabel="Re-wrapping…" busy={busy} onAction={() => void run()} />
          </>
        )}
      </div>
    </Dialog>
  );
}
