import { useRef, useState, type FormEvent } from 'react';
import { MIN_PASSPHRASE_LENGTH } from '../../src-shared/contract.js';
import { usePassphraseStrength } from '../hooks/use-passphrase-strength.js';
import { describeError } from '../lib/errors.js';
import { isWeak, validateNewPassphrase } from '../lib/passphrase.js';
import { createVault } from '../state/session.js';
import { AuthLayout } from './AuthLayout.js';
import { FormError } from './FormError.js';
import { PassphraseField } from './PassphraseField.js';
import { StrengthMeter } from './StrengthMeter.js';
import { loadEstimator } from './strength-estimator.js';

export function FirstRunScreen() {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [weakAccepted, setWeakAccepted] = useState(false);
  const [touched, setTouched] = useState({ passphrase: false, confirm: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passphraseRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const strength = usePassphraseStrength(passphrase);

  const errors = validateNewPassphrase(passphrase, confirm, { score: strength?.score ?? null, weakAccepted });
  const weak = passphrase.length >= MIN_PASSPHRASE_LENGTH && isWeak(strength?.score ?? null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched({ passphrase: true, confirm: true });
    // Submitted before the meter had rated it: rate it now, so a weak one is never let through.
    const score = strength?.score ?? (await loadEstimator().then((check) => check(passphrase).score, () => null));
    const found = validateNewPassphrase(passphrase, confirm, { score, weakAccepted });
    if (found.passphrase || found.confirm) {
      (found.passphrase ? passphraseRef : confirmRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createVault(passphrase);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Create your store"
      subtitle="Choose a master passphrase. It encrypts everything in this store and cannot be recovered if you forget it."
    >
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <PassphraseField
          id="new-passphrase"
          label="Master passphrase"
          value={passphrase}
          onChange={setPassphrase}
          onBlur={() => setTouched((t) => ({ ...t, passphrase: t.passphrase || passphrase.length > 0 }))}
          error={touched.passphrase ? errors.passphrase : undefined}
          describedBy="new-passphrase-strength new-passphrase-hint"
          autoComplete="new-password"
          autoFocus
          inputRef={passphraseRef}
        />
        <p className="field__hint" id="new-passphrase-hint">
          At least {MIN_PASSPHRASE_LENGTH} characters, rated Strong or better. A few unrelated words make a strong, memorable passphrase.
        </p>
        <StrengthMeter passphrase={passphrase} strength={strength} id="new-passphrase-strength" />
        {weak && (
          <label className="choice">
            <input type="checkbox" checked={weakAccepted} onChange={(e) => setWeakAccepted(e.target.checked)} />
            Use this weak passphrase anyway
          </label>
        )}
        <PassphraseField
          id="confirm-passphrase"
          label="Repeat passphrase"
          toggleNoun="confirmation"
          value={confirm}
          onChange={setConfirm}
          onBlur={() => setTouched((t) => ({ ...t, confirm: t.confirm || confirm.length > 0 }))}
          error={touched.confirm ? errors.confirm : undefined}
          autoComplete="new-password"
          inputRef={confirmRef}
        />
        <FormError message={error} />
        <button type="submit" className="btn btn--primary btn--block" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating store…' : 'Create store'}
        </button>
      </form>
    </AuthLayout>
  );
}
