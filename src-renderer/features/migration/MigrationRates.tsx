import { useState, type FormEvent } from 'react';
import type { MigrationRate } from '../../../src-shared/contract.js';
import { describeError } from '../../lib/errors.js';
import { parseRate, RATE_MAX } from './migration-state.js';
import { rateText, storeRate, useMigrationRates } from './migration-rates.js';

/** One manager's stored rate: a number replaces its published quota, "Use published quota" returns to it. */
function RateRow({ rate }: { rate: MigrationRate }) {
  const [text, setText] = useState(rate.ratePerSecond === null ? '' : String(rate.ratePerSecond));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldId = `migration-rate-${rate.managerId}`;

  const change = async (value: number | null) => {
    setBusy(true);
    setError(null);
    try {
      await storeRate(rate.managerId, value);
      if (value === null) setText('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = parseRate(text);
    if (value === undefined || value === null) {
      setError(`Enter a number of requests per second above 0, at most ${RATE_MAX.toLocaleString('en')}.`);
      return;
    }
    void change(value);
  };

  return (
    <li className="migration-rates__row">
      <form onSubmit={submit} noValidate className="migration-rates__form" aria-label={`Rate of ${rate.name}`}>
        <label htmlFor={fieldId} className="migration-rates__name">
          {rate.name}
        </label>
        <input
          id={fieldId}
          className="input input--short"
          type="number"
          min={0}
          step="any"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${fieldId}-now${error ? ` ${fieldId}-error` : ''}`}
        />
        <button type="submit" className="btn btn--small" disabled={busy}>
          Save rate
        </button>
        {rate.ratePerSecond !== null && (
          <button type="button" className="btn btn--small" disabled={busy} onClick={() => void change(null)} aria-label={`Use the published quota for ${rate.name}`}>
            Use published quota
          </button>
        )}
        <p className="field__hint migration-rates__now" id={`${fieldId}-now`}>
          Now: {rateText(rate)}
        </p>
        {error && (
          <p className="field__error" id={`${fieldId}-error`} role="alert">
            {error}
          </p>
        )}
      </form>
    </li>
  );
}

/** Each manager's request rate for migrations, requests per second for reads and writes alike. */
export function MigrationRates() {
  const { items } = useMigrationRates();
  return (
    <section className="settings-section migration-section" aria-labelledby="migration-rates-title" id="migration-rates">
      <h3 id="migration-rates-title" className="section-title" tabIndex={-1}>
        Request rate per manager
      </h3>
      <p className="field__hint">
        A migration sends each manager at most this many requests a second. Without a setting it follows the provider’s published quota; a run may set its own
        rate.
      </p>
      <ul className="migration-rates">
        {items.map((rate) => (
          <RateRow key={`${rate.managerId}:${rate.ratePerSecond ?? ''}`} rate={rate} />
        ))}
      </ul>
    </section>
  );
}
