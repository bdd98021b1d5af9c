import { useState, type FormEvent } from 'react';
import { settingsSchema, type Settings } from '../../src-main/ipc/contract.js';
import { describeError } from '../lib/errors.js';
import { saveSettings } from '../state/session.js';

type Field = keyof Settings;

const limits: Record<Field, string> = {
  autoLockMinutes: 'Enter a whole number of minutes from 1 to 1440.',
  versionRetention: 'Enter a whole number of versions from 10 to 10,000.',
};

/** Parses one number field with the contract's own rule; empty text is not zero. */
function parseField(field: Field, text: string): number | null {
  if (text.trim() === '') return null;
  const parsed = settingsSchema.shape[field].safeParse(Number(text));
  return parsed.success ? parsed.data : null;
}

export function SettingsView({ settings }: { settings: Settings }) {
  const [values, setValues] = useState<Record<Field, string>>({
    autoLockMinutes: String(settings.autoLockMinutes),
    versionRetention: String(settings.versionRetention),
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const autoLockMinutes = parseField('autoLockMinutes', values.autoLockMinutes);
    const versionRetention = parseField('versionRetention', values.versionRetention);
    const found: Partial<Record<Field, string>> = {};
    if (autoLockMinutes === null) found.autoLockMinutes = limits.autoLockMinutes;
    if (versionRetention === null) found.versionRetention = limits.versionRetention;
    setErrors(found);
    setResult(null);
    if (autoLockMinutes === null || versionRetention === null) return;
    setBusy(true);
    try {
      const saved = await saveSettings({ autoLockMinutes, versionRetention });
      setValues({ autoLockMinutes: String(saved.autoLockMinutes), versionRetention: String(saved.versionRetention) });
      setResult({ ok: true, text: 'Settings saved.' });
    } catch (err) {
      setResult({ ok: false, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const field = (name: Field, label: string, hint: string, min: number, max: number) => (
    <div className="field">
      <label htmlFor={`setting-${name}`} className="field__label">
        {label}
      </label>
      <input
        id={`setting-${name}`}
        className="input input--short"
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={values[name]}
        onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={`setting-${name}-hint${errors[name] ? ` setting-${name}-error` : ''}`}
      />
      <p className="field__hint" id={`setting-${name}-hint`}>
        {hint}
      </p>
      {errors[name] && (
        <p className="field__error" id={`setting-${name}-error`}>
          {errors[name]}
        </p>
      )}
    </div>
  );

  return (
    <section className="panel panel--narrow" aria-labelledby="settings-title">
      <header className="panel__header">
        <div>
          <h2 id="settings-title" className="panel__title">
            Settings
          </h2>
          <p className="panel__subtitle">Applies to this store on this machine.</p>
        </div>
      </header>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {field(
          'autoLockMinutes',
          'Auto-lock after (minutes)',
          'The vault locks itself after this long without keyboard or mouse activity. Ctrl+L locks at once.',
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
        <div className="form__footer">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <p role="status" className={`form-status${result ? (result.ok ? ' is-ok' : ' is-bad') : ''}`}>
            {result?.text}
          </p>
        </div>
      </form>
    </section>
  );
}
