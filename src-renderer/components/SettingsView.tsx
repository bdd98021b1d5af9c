import { useEffect, useState, type FormEvent } from 'react';
import { settingsSchema, type Settings } from '../../src-shared/contract.js';
import { useIntent } from '../hooks/use-intent.js';
import { describeError } from '../lib/errors.js';
import { storeIsEmpty } from '../state/backup.js';
import { saveSettings } from '../state/session.js';
import { ExportBackupDialog, ImportDialog, RestoreBackupDialog } from './BackupDialogs.js';
import { Field } from './Field.js';
import { Panel } from './Panel.js';
import { AppearanceSection } from '../features/appearance/index.js';
import { KnownHostsView } from '../features/connections/index.js';
import { RotateMasterKeySection } from '../features/migration/index.js';
import { KeyWorkSection } from '../features/key-work/index.js';
import { StoreCheckSection } from '../features/store-check/index.js';
import './settings-view.css';

/** The settings this form edits as numbers (the clipboard delay may also be "never"); the others have their own sections. */
type NumberSetting = { [K in keyof Settings]: Settings[K] extends number | null ? K : never }[keyof Settings];

const limits: Record<NumberSetting, string> = {
  autoLockMinutes: 'Enter a whole number of minutes from 1 to 1440.',
  versionRetention: 'Enter a whole number of versions from 10 to 10,000.',
  connectTimeoutSeconds: 'Enter a whole number of seconds from 1 to 300.',
  clipboardClearSeconds: 'Enter a whole number of seconds from 1 to 3600, or choose Never.',
};

const fields = Object.keys(limits) as NumberSetting[];

function asText(settings: Settings): Record<NumberSetting, string> {
  return Object.fromEntries(fields.map((name) => [name, settings[name] === null ? '' : String(settings[name])])) as Record<NumberSetting, string>;
}

/** Parses one number field with the contract's own rule; empty text is not zero. */
function parseField(field: NumberSetting, text: string): number | null {
  if (text.trim() === '') return null;
  const parsed = settingsSchema.shape[field].safeParse(Number(text));
  return parsed.success ? parsed.data : null;
}

export function SettingsView({ settings }: { settings: Settings }) {
  const [values, setValues] = useState<Record<NumberSetting, string>>(() => asText(settings));
  const [errors, setErrors] = useState<Partial<Record<NumberSetting, string>>>({});
  const [clipboardNever, setClipboardNever] = useState(settings.clipboardClearSeconds === null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [dialog, setDialog] = useState<'export' | 'restore' | 'import' | null>(null);
  const [empty, setEmpty] = useState<boolean | null>(null);
  const [checks, setChecks] = useState(0);
  useIntent('export-backup', () => setDialog('export'));
  useIntent('import', () => setDialog('import'));

  // Restore is offered only into an empty store; ask again after anything that may have filled it.
  useEffect(() => {
    let live = true;
    storeIsEmpty()
      .then((isEmpty) => live && setEmpty(isEmpty))
      .catch(() => live && setEmpty(false));
    return () => {
      live = false;
    };
  }, [checks]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed: Partial<Record<NumberSetting, number | null>> = {};
    const found: Partial<Record<NumberSetting, string>> = {};
    for (const name of fields) {
      if (name === 'clipboardClearSeconds' && clipboardNever) {
        parsed[name] = null;
        continue;
      }
      const value = parseField(name, values[name]);
      if (value === null) found[name] = limits[name];
      else parsed[name] = value;
    }
    setErrors(found);
    setResult(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      // Each value passed its own field's schema above, and only the clipboard delay may be null.
      const saved = await saveSettings(parsed as Partial<Settings>);
      setValues(asText(saved));
      setClipboardNever(saved.clipboardClearSeconds === null);
      setResult({ ok: true, text: 'Settings saved.' });
    } catch (err) {
      setResult({ ok: false, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const field = (name: NumberSetting, label: string, hint: string, min: number, max: number, disabled = false) => (
    <Field id={`setting-${name}`} label={label} hint={hint} error={errors[name]}>
      {(control) => (
        <input
          {...control}
          className="input input--short"
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={values[name]}
          disabled={disabled}
          onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
        />
      )}
    </Field>
  );

  return (
    <Panel
      titleId="settings-title"
      title="Settings"
      subtitle="Applies to this store on this machine."
      className="panel--narrow"
    >
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {field(
          'autoLockMinutes',
          'Auto-lock after (minutes)',
          'The store locks itself after this long without keyboard or mouse activity. Ctrl+L locks at once.',
          1,
          1440,
        )}
        {field(
          'versionRetention',
          'Versions to keep per secret',
          'Older versions beyond this are removed; the current one is always kept.',
          10,
          10_000,
        )}
        {field(
          'connectTimeoutSeconds',
          'Connection test timeout (seconds)',
          'How long each step of an SSH or WinRM test (name lookup, connect, SSH banner, login, probe) may wait for the server. The CLI\'s --timeout overrides it for one run.',
          1,
          300,
        )}
        <div className="settings-field-group">
          {field(
            'clipboardClearSeconds',
            'Clear copied values after (seconds)',
            'A copied secret is removed from the clipboard after this long, unless something else was copied since.',
            1,
            3600,
            clipboardNever,
          )}
          <label className="choice">
            <input type="checkbox" checked={clipboardNever} onChange={(e) => setClipboardNever(e.target.checked)} />
            Never clear copied values
          </label>
        </div>
        <div className="form__footer">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <p role="status" className={`form-status${result ? (result.ok ? ' is-ok' : ' is-bad') : ''}`}>
            {result?.text}
          </p>
        </div>
      </form>

      <AppearanceSection />
      <section className="settings-section" aria-labelledby="backup-title">
        <h3 id="backup-title" className="section-title">
          Backup and import
        </h3>
        <div className="settings-actions">
          <div>
            <button type="button" className="btn" onClick={() => setDialog('export')}>
              Export backup…
            </button>
            <p className="field__hint">The whole store in one file, encrypted with a passphrase chosen for the export.</p>
          </div>
          <div>
            {/* aria-disabled, not disabled: a restore fills the store, and the report gives focus back here, which a disabled button cannot take. */}
            <button type="button" className="btn" onClick={() => empty && setDialog('restore')} aria-disabled={!empty || undefined} aria-describedby="restore-hint">
              Restore backup…
            </button>
            <p className="field__hint" id="restore-hint">
              {empty === null ? 'Checking…' : empty ? 'This store is empty: a backup can be restored into it.' : 'Available only in an empty store, so nothing is overwritten.'}
            </p>
          </div>
          <div>
            <button type="button" className="btn" onClick={() => setDialog('import')}>
              Import .env/CSV…
            </button>
            <p className="field__hint">Text secrets from a .env or CSV file; names that clash are reported before anything is written.</p>
          </div>
        </div>
      </section>
      <RotateMasterKeySection />
      <KeyWorkSection />
      <StoreCheckSection />
      <KnownHostsView />
      {dialog === 'export' && <ExportBackupDialog onClose={() => setDialog(null)} />}
      {dialog === 'restore' && <RestoreBackupDialog onClose={() => setDialog(null)} onRestored={() => setChecks((n) => n + 1)} />}
      {dialog === 'import' && (
        <ImportDialog
          onClose={() => {
            setDialog(null);
            setChecks((n) => n + 1);
          }}
        />
      )}
    </Panel>
  );
}
