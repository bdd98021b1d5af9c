import { useState, type FormEvent } from 'react';
import { sealBindings, sealValues } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { getApi } from '../../api/connection.js';
import { Dialog } from '../../components/Dialog.js';
import { DialogActions, DismissAction } from '../../components/DialogActions.js';
import { FormError } from '../../components/FormError.js';
import { PassphraseField } from '../../components/PassphraseField.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useSubscription } from '../../hooks/use-subscription.js';
import { describeError, isIpcError } from '../../lib/errors.js';
import { delegateKey } from '../../state/session.js';
import { plural } from './migration-labels.js';

type Rotation = { version: number; dataKeys: number; configs: number; dropped: number[]; resumed: boolean };

async function rotateMasterKey(passphrase: string): Promise<Rotation> {
  const sealedPassphrase = await sealValues(await delegateKey(), sealBindings.keyringRotate(), [passphrase]);
  return call('keyring.rotate', { sealedPassphrase });
}

function rotationSummary(r: Rotation): string {
  const dropped = r.dropped.length ? ` Version ${r.dropped.join(', ')} dropped: nothing names it any more.` : '';
  return `${r.resumed ? 'Finished the interrupted rotation to' : 'Rotated to'} master key version ${r.version}: ${plural(r.dataKeys, 'data key')} and ${plural(r.configs, 'manager configuration')} re-wrapped.${dropped}`;
}

interface RotationProgress {
  done: number;
  total: number;
  /** When the first figure arrived: rate and ETA are measured from it. */
  startedAt: number;
}

const progressWords = (done: number, total: number) => `Re-wrapped ${done.toLocaleString('en')} of ${plural(total, 'key')}`;

/** Asks for the passphrase (the delegate checks it), rotates with a progress bar, and says what was re-wrapped. */
function RotateMasterKeyDialog({ onClose }: { onClose: () => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Rotation | null>(null);
  const [progress, setProgress] = useState<RotationProgress | null>(null);

  useSubscription(async () =>
    (await getApi()).onEvent((event) => {
      if (event.type !== 'keyring.rotateProgress') return;
      setProgress((before) => ({ done: event.done, total: event.total, startedAt: before?.startedAt ?? Date.now() }));
    }),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passphrase) {
      setFieldError('Enter the master passphrase');
      return;
    }
    setFieldError(undefined);
    setError(null);
    setBusy(true);
    setProgress(null);
    try {
      setResult(await rotateMasterKey(passphrase));
      setPassphrase('');
    } catch (err) {
      if (isIpcError(err, 'WRONG_PASSPHRASE')) setFieldError('Wrong passphrase: nothing was rotated.');
      else setError(`The rotation did not finish: ${describeError(err)} Rotating again continues where it stopped.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Rotate master key" onClose={onClose} size="medium">
      {result ? (
        <>
          <p className="dialog__body" role="status">
            {rotationSummary(result)}
          </p>
          <DismissAction label="Done" onClose={onClose} />
        </>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)} noValidate>
          <p className="dialog__body">
            A new master key version is made, and every data key, every manager configuration and the audit key are re-wrapped under it. Your passphrase stays the same. The
            rotation is journaled: if it is interrupted, rotating again continues it.
          </p>
          <PassphraseField
            id="rotate-passphrase"
            label="Master passphrase"
            value={passphrase}
            onChange={setPassphrase}
            error={fieldError}
            autoComplete="current-password"
            autoFocus
          />
          {busy &&
            (progress ? (
              <ProgressBar label="Master key rotation progress" done={progress.done} total={progress.total} startedAt={progress.startedAt} describe={progressWords} />
            ) : (
              <div className="progress">
                <progress className="progress__bar" aria-label="Master key rotation progress" aria-valuetext="Checking the passphrase…" />
                <span className="field__hint">Checking the passphrase and making the new version…</span>
              </div>
            ))}
          <FormError message={error} />
          <DialogActions onCancel={onClose} label="Rotate master key" busyLabel="Rotating…" busy={busy} />
        </form>
      )}
    </Dialog>
  );
}

/** The Settings section: what rotation does, and its button. */
export function RotateMasterKeySection() {
  const [open, setOpen] = useState(false);
  return (
    <section className="settings-section" aria-labelledby="master-key-title">
      <h3 id="master-key-title" className="section-title">
        Master key
      </h3>
      <div className="settings-actions">
        <div>
          <button type="button" className="btn" onClick={() => setOpen(true)}>
            Rotate master key…
          </button>
          <p className="field__hint">Re-wraps every key under a new master key version; secrets and the passphrase stay as they are.</p>
        </div>
      </div>
      {open && <RotateMasterKeyDialog onClose={() => setOpen(false)} />}
    </section>
  );
}
