import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { MAX_LARGE_REQUEST_CHARS, MIN_PASSPHRASE_LENGTH, type ImportedSecret, type RestoreReport } from '../../src-shared/contract.js';
import { describeError, isIpcError } from '../lib/errors.js';
import { progressText, type ImportPreview, type PreviewRow } from '../lib/import-preview.js';
import { validateNewPassphrase } from '../lib/passphrase.js';
import { exportBackup, importSecrets, previewImport, restoreBackup } from '../state/backup.js';
import { readFileText } from '../state/files.js';
import { showToast } from '../state/stores.js';
import { DataTable, type DataColumn } from './DataTable.js';
import { Dialog } from './Dialog.js';
import { ProgressBar } from './ProgressBar.js';
import { DialogActions, DismissAction } from './DialogActions.js';
import { FormError } from './FormError.js';
import { Field } from './Field.js';
import { PassphraseField } from './PassphraseField.js';
import { StrengthMeter } from './StrengthMeter.js';
import { usePassphraseStrength } from '../hooks/use-passphrase-strength.js';
import { StopActions } from './StopActions.js';
import { OperationProgress, useOperation } from '../features/operations/index.js';
import './backup-dialogs.css';

const importPreviewColumns: DataColumn<PreviewRow>[] = [
  { header: 'Name', mono: true, cell: (row) => row.name },
  { header: 'Value', numeric: true, cell: (row) => `${'•'.repeat(Math.min(8, row.valueChars))} ${row.valueChars} chars` },
  { header: 'Description', cell: (row) => row.description },
  {
    header: 'Status',
    cell: (row) => <span className={`pill ${row.status === 'taken' ? 'pill--failure' : 'pill--success'}`}>{row.status === 'taken' ? 'Name taken' : 'New'}</span>,
  },
];

/** .env and CSV files are text; a few MiB is already hundreds of thousands of secrets. */
const MAX_IMPORT_FILE_BYTES = 16 * 1024 * 1024;

export function ExportBackupDialog({ onClose }: { onClose: () => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stopped, setStopped] = useState<string | null>(null);
  const operation = useOperation();
  const strength = usePassphraseStrength(passphrase);
  const errors = submitted ? validateNewPassphrase(passphrase, confirm) : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const found = validateNewPassphrase(passphrase, confirm);
    if (found.passphrase || found.confirm) {
      document.getElementById(found.passphrase ? 'export-passphrase' : 'export-confirm')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setStopped(null);
    try {
      const saved = await operation.run((operationId) => exportBackup(passphrase, operationId));
      if (saved) {
        showToast(`Exported ${saved.secrets} ${saved.secrets === 1 ? 'secret' : 'secrets'} to ${saved.fileName}`);
        onClose();
      } else {
        setBusy(false);
      }
    } catch (err) {
      if (isIpcError(err, 'CANCELLED')) setStopped(err.message);
      else setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Export backup" onClose={onClose} size="medium">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="dialog__body">
          The whole store — every secret with its versions, applications, environments and scopes — in one file encrypted with a passphrase you
          choose now. Keep the passphrase apart from the file: without it the backup cannot be restored.
        </p>
        <PassphraseField
          id="export-passphrase"
          label="Export passphrase"
          value={passphrase}
          onChange={setPassphrase}
          error={errors.passphrase}
          describedBy="export-passphrase-strength"
          autoComplete="new-password"
          autoFocus
        />
        <StrengthMeter passphrase={passphrase} strength={strength} id="export-passphrase-strength" />
        <PassphraseField
          id="export-confirm"
          label="Repeat export passphrase"
          toggleNoun="confirmation"
          value={confirm}
          onChange={setConfirm}
          error={errors.confirm}
          autoComplete="new-password"
        />
        <p className="field__hint">At least {MIN_PASSPHRASE_LENGTH} characters. You choose where the file is saved.</p>
        {busy && operation.progress && <OperationProgress label="Export progress" progress={operation.progress} />}
        {stopped && (
          <p className="field__hint" role="status">
            {stopped}
          </p>
        )}
        <FormError message={error} />
        {busy ? (
          // Safe: the file is made only from a finished export, so a stop leaves no partial file.
          <StopActions label="Stop export" stopping={operation.stopping} onStop={() => void operation.stop()} busyLabel="Exporting…" />
        ) : (
          <DialogActions onCancel={onClose} label="Export" busyLabel="Exporting…" busy={busy} />
        )}
      </form>
    </Dialog>
  );
}

export function RestoreBackupDialog({ onClose, onRestored }: { onClose: () => void; onRestored: () => void }) {
  const [file, setFile] = useState<{ name: string; content: string } | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [errors, setErrors] = useState<{ file?: string; passphrase?: string; form?: string; stopped?: string }>({});
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<RestoreReport | null>(null);
  const operation = useOperation();

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    setFile(null);
    if (!chosen) return;
    try {
      setFile({ name: chosen.name, content: await readFileText(chosen, MAX_LARGE_REQUEST_CHARS / 2) });
      setErrors((e) => ({ ...e, file: undefined, form: undefined }));
    } catch (err) {
      setErrors((e) => ({ ...e, file: describeError(err) }));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = { file: file ? undefined : 'Choose a backup file', passphrase: passphrase ? undefined : 'Enter the passphrase chosen when the backup was made' };
    setErrors(found);
    if (found.file || found.passphrase) return;
    setBusy(true);
    try {
      setReport(await operation.run((operationId) => restoreBackup(file!.content, passphrase, operationId)));
      onRestored();
    } catch (err) {
      if (isIpcError(err, 'WRONG_PASSPHRASE')) setErrors({ passphrase: 'Wrong passphrase for this backup. Nothing was restored.' });
      else if (isIpcError(err, 'CANCELLED')) setErrors({ stopped: err.message });
      else setErrors({ form: describeError(err) });
      setPassphrase('');
    } finally {
      setBusy(false);
    }
  };

  if (report) {
    return (
      <Dialog key="report" title="Backup restored" onClose={onClose}>
        <div className="dialog__body report" role="status">
          <p>
            Restored {report.secrets} {report.secrets === 1 ? 'secret' : 'secrets'} ({report.versions} {report.versions === 1 ? 'version' : 'versions'}),{' '}
            {report.applications} {report.applications === 1 ? 'application' : 'applications'} and {report.environments}{' '}
            {report.environments === 1 ? 'environment' : 'environments'}.
          </p>
          {report.skipped.length > 0 ? (
            <>
              <p>Not restored:</p>
              <ul>
                {report.skipped.map((item) => (
                  <li key={item.name}>
                    <span className="mono">{item.name}</span>: {item.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>Nothing was skipped.</p>
          )}
        </div>
        <DismissAction label="Done" onClose={onClose} />
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title="Restore backup" onClose={onClose} size="medium">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="dialog__body">Restores a Strongroom backup into this empty store. A wrong passphrase or a damaged file restores nothing.</p>
        <Field id="restore-file" label="Backup file" error={errors.file}>
          {(control) => <input {...control} type="file" accept=".srbackup" className="input input--file" onChange={(e) => void choose(e)} data-autofocus />}
        </Field>
        <PassphraseField
          id="restore-passphrase"
          label="Backup passphrase"
          value={passphrase}
          onChange={setPassphrase}
          error={errors.passphrase}
          autoComplete="current-password"
        />
        <p className="field__hint" id="restore-stop-note">
          Nothing is written until the whole backup is decrypted, and a restore can be stopped until then. Then everything is written in one
          transaction, which cannot be stopped.
        </p>
        {busy && operation.progress && <OperationProgress label="Restore progress" progress={operation.progress} />}
        {errors.stopped && (
          <p className="field__hint" role="status">
            {errors.stopped}
          </p>
        )}
        <FormError message={errors.form} />
        {busy ? (
          <StopActions
            label="Stop restore"
            stopping={operation.stopping}
            onStop={() => void operation.stop()}
            busyLabel="Restoring…"
            // The one write transaction has begun: stopping now could only leave half a store.
            unavailable={operation.progress?.cancellable === false ? 'Writing: a restore cannot be stopped now' : undefined}
          />
        ) : (
          <DialogActions onCancel={onClose} label="Restore" busyLabel="Restoring…" busy={busy} />
        )}
      </form>
    </Dialog>
  );
}

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const [loaded, setLoaded] = useState<{ fileName: string; preview: ImportPreview; items: ImportedSecret[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number; startedAt: number } | null>(null);
  const [stopped, setStopped] = useState<number | null>(null);
  const stopRequested = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setLoaded(null);
    setError(null);
    setProgress(null);
    if (!file) return;
    setReading(true);
    try {
      const text = await readFileText(file, MAX_IMPORT_FILE_BYTES);
      setLoaded({ fileName: file.name, ...(await previewImport(file.name, text)) });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setReading(false);
    }
  };

  const run = async () => {
    if (!loaded?.preview.canImport) return;
    const total = loaded.items.length;
    const startedAt = Date.now();
    setProgress({ done: 0, total, startedAt });
    setError(null);
    stopRequested.current = false;
    try {
      const imported = await importSecrets(loaded.items, (done) => setProgress({ done, total, startedAt }), () => stopRequested.current);
      if (imported < total) {
        setStopped(imported);
        return;
      }
      showToast(`Imported ${total} ${total === 1 ? 'secret' : 'secrets'} from ${loaded.fileName}`);
      onClose();
    } catch (err) {
      setError(`${describeError(err)} Secrets imported before this stay in the store.`);
      setProgress((p) => p && { ...p });
    }
  };

  const preview = loaded?.preview;
  const importing = progress !== null && progress.done < progress.total && !error && stopped === null;
  return (
    <Dialog title="Import .env or CSV" onClose={onClose} size="medium">
      <div className="form">
        <p className="dialog__body">
          Imports text secrets: <span className="mono">NAME=value</span> lines from a .env file, or a CSV file whose first row names the{' '}
          <span className="mono">name</span> and <span className="mono">value</span> columns (and optionally <span className="mono">description</span>).
          Nothing is written until you confirm, and not at all if a name is taken.
        </p>
        <Field id="import-file" label="File to import" hint={reading ? 'Reading and checking names…' : undefined}>
          {(control) => (
            <input
              {...control}
              ref={inputRef}
              type="file"
              accept=".env,.csv,text/plain,text/csv"
              className="input input--file"
              onChange={(e) => void choose(e)}
              disabled={importing}
              data-autofocus
            />
          )}
        </Field>
        {preview && (
          <>
            <p className="field__hint" role="status">
              {preview.rows.length} {preview.rows.length === 1 ? 'secret' : 'secrets'} in {loaded.fileName}
              {preview.taken.length > 0 ? `, ${preview.taken.length} with a name already in use` : ''}.
            </p>
            {preview.problems.length > 0 && (
              <div className="banner banner--danger banner--block" role="alert">
                <p>Problems in the file:</p>
                <ul>
                  {preview.problems.slice(0, 50).map((problem) => (
                    <li key={problem}>{problem}</li>
                  ))}
                </ul>
              </div>
            )}
            <DataTable
              label="Import preview"
              columns={importPreviewColumns}
              rows={preview.rows.slice(0, 500)}
              rowKey={(row) => row.name}
              emptyMessage="The file holds no secrets to import."
              rowProps={(row) => ({ className: row.status === 'taken' ? 'is-bad' : undefined })}
              className="table-wrap--scroll"
            />
            {preview.rows.length > 500 && <p className="field__hint">Showing the first 500 of {preview.rows.length}.</p>}
            <FormError message={preview.blocker} />
          </>
        )}
        {progress && <ProgressBar label="Import progress" done={progress.done} total={progress.total} startedAt={progress.startedAt} describe={progressText} />}
        {stopped !== null && (
          <p className="field__hint" role="status">
            Stopped after {stopped.toLocaleString('en')} of {progress?.total.toLocaleString('en')}: the secrets imported before the stop stay in the store.
          </p>
        )}
        <FormError message={error} />
        <div className="dialog__actions">
          {importing ? (
            // Safe: the import stops between batches, each written whole in one transaction.
            <button type="button" className="btn" onClick={() => (stopRequested.current = true)}>
              Stop import
            </button>
          ) : (
            <button type="button" className="btn" onClick={onClose}>
              {progress ? 'Close' : 'Cancel'}
            </button>
          )}
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => void run()}
            disabled={!preview?.canImport || importing || progress !== null}
            aria-busy={importing}
          >
            {importing ? 'Importing…' : preview?.canImport ? `Import ${preview.rows.length} ${preview.rows.length === 1 ? 'secret' : 'secrets'}` : 'Import'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
