import { useRef, useState, type FormEvent } from 'react';
import type { IpcErrorCode } from '../../src-shared/contract.js';
import { describeError, isIpcError } from '../lib/errors.js';
import { secondsUntil, unlockErrorText } from '../lib/retry-countdown.js';
import { useNow } from '../hooks/use-now.js';
import { unlockVault } from '../state/session.js';
import { useSession } from '../state/stores.js';
import { AuthLayout } from './AuthLayout.js';
import { PassphraseField } from './PassphraseField.js';

export function UnlockScreen() {
  const retryAt = useSession((s) => s.unlockRetryAt);
  const notice = useSession((s) => s.notice);
  const now = useNow(retryAt !== null);
  const secondsLeft = secondsUntil(retryAt, now);
  const [passphrase, setPassphrase] = useState('');
  const [refusal, setRefusal] = useState<IpcErrorCode | null>(null);
  const [otherError, setOtherError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const blocked = secondsLeft > 0;
  const error = unlockErrorText(refusal, secondsLeft) ?? otherError;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || blocked || passphrase.length === 0) return;
    setBusy(true);
    setRefusal(null);
    setOtherError(null);
    try {
      await unlockVault(passphrase);
    } catch (err) {
      if (isIpcError(err, 'WRONG_PASSPHRASE', 'RATE_LIMITED')) {
        setRefusal(err.code);
        setPassphrase('');
      } else {
        setOtherError(describeError(err));
      }
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  return (
    <AuthLayout title="Unlock Strongroom" subtitle="Enter your master passphrase to open the store.">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {notice && <p className="notice">{notice}</p>}
        <PassphraseField
          id="unlock-passphrase"
          label="Master passphrase"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="current-password"
          describedBy={error ? 'unlock-error' : undefined}
          autoFocus
          inputRef={inputRef}
        />
        {error && (
          <p className="form-error" role="alert" id="unlock-error">
            {error}
          </p>
        )}
        <button
          type="submit"
          className="btn btn--primary btn--block"
          disabled={busy || blocked || passphrase.length === 0}
          aria-busy={busy}
        >
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </AuthLayout>
  );
}
