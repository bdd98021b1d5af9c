import { useState, type Ref } from 'react';

interface PassphraseFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  error?: string | undefined;
  describedBy?: string;
  autoFocus?: boolean;
  autoComplete: 'current-password' | 'new-password';
  inputRef?: Ref<HTMLInputElement>;
}

/** A password input with a show/hide toggle and its error under it. */
export function PassphraseField(props: PassphraseFieldProps) {
  const { id, label, value, onChange, onBlur, error, describedBy, autoFocus, autoComplete, inputRef } = props;
  const [visible, setVisible] = useState(false);
  const errorId = `${id}-error`;
  const describedByIds = [error ? errorId : null, describedBy].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <div className="field__row">
        <input
          ref={inputRef}
          id={id}
          className="input"
          type={visible ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
          autoComplete={autoComplete}
          autoFocus={autoFocus}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedByIds}
        />
        <button
          type="button"
          className="btn btn--ghost btn--small"
          onClick={() => setVisible((v) => !v)}
          aria-pressed={visible}
          aria-controls={id}
          title={visible ? 'Hide passphrase' : 'Show passphrase'}
        >
          {visible ? 'Hide' : 'Show'}
        </button>
      </div>
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
