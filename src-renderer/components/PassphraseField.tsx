import { useState, type Ref } from 'react';
import { Field } from './Field.js';
import { VisibilityToggle } from './VisibilityToggle.js';

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
  /** What the show/hide button names, so two such fields on one form have distinct buttons ("Show confirmation"). */
  toggleNoun?: string;
}

/** A password input with a show/hide toggle and its error under it. */
export function PassphraseField(props: PassphraseFieldProps) {
  const { id, label, value, onChange, onBlur, error, describedBy, autoFocus, autoComplete, inputRef, toggleNoun = 'passphrase' } = props;
  const [visible, setVisible] = useState(false);
  return (
    <Field id={id} label={label} error={error} describedBy={describedBy}>
      {(control) => (
        <div className="field__row">
          <input
            {...control}
            ref={inputRef}
            className="input"
            type={visible ? 'text' : 'password'}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onBlur}
            autoComplete={autoComplete}
            autoFocus={autoFocus}
            spellCheck={false}
          />
          <VisibilityToggle visible={visible} onToggle={() => setVisible((v) => !v)} controls={id} noun={toggleNoun} nounIn="label" />
        </div>
      )}
    </Field>
  );
}
