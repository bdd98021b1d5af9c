import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { savedSearchNameSchema } from '../../../src-shared/saved-search-contract.js';
import { Field } from '../../components/Field.js';
import { describeError } from '../../lib/errors.js';

interface SavedSearchNameFormProps {
  /** The form's accessible name ("Save search", "Rename saved search Keys"). */
  title: string;
  label: ReactNode;
  /** Said under the field until there is an error. */
  hint?: ReactNode;
  initialName: string;
  submitLabel: string;
  /** Extra class names after `saved-searches__form`. */
  className?: string;
  /** Saves the checked name; a refusal (a name another search has) stays in the form as its error. */
  onSubmit: (name: string) => Promise<void>;
  /** Cancel and Esc; the caller closes the form after a successful submit itself. */
  onCancel: () => void;
}

/**
 * A saved search's name asked for in place, for saving one and renaming one: the field takes focus with
 * its text selected (typing replaces it), Enter submits, Esc cancels, a name the contract refuses or main
 * refuses (taken, in any case) is said under the field and announced.
 */
export function SavedSearchNameForm({ title, label, hint, initialName, submitLabel, className, onSubmit, onCancel }: SavedSearchNameFormProps) {
  const [name, setName] = useState(initialName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = savedSearchNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Not a valid name.');
      return;
    }
    setBusy(true);
    try {
      await onSubmit(parsed.data);
    } catch (err) {
      setError(describeError(err));
      field.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={className ? `saved-searches__form ${className}` : 'saved-searches__form'} onSubmit={submit} noValidate aria-label={title}>
      <Field label={label} hint={error ? undefined : hint} error={error} announceError>
        {(control) => (
          <input
            ref={field}
            {...control}
            className="input"
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                onCancel();
              }
            }}
          />
        )}
      </Field>
      <div className="saved-searches__actions">
        <button type="submit" className="btn btn--small btn--primary" disabled={busy} aria-busy={busy}>
          {submitLabel}
        </button>
        <button type="button" className="btn btn--small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
