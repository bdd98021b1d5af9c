import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SavedSearch } from '../../../src-shared/contract.js';
import { savedSearchNameSchema } from '../../../src-shared/saved-search-contract.js';
import { describeSavedSearchError } from './saved-search-errors.js';
import { renameSearch } from './saved-searches-state.js';

interface RenameSavedSearchFormProps {
  search: SavedSearch;
  /** Called once renamed, or on Cancel and Esc. */
  onClose: () => void;
}

/** A saved search's name edited in place of its entry: Enter renames, Esc cancels, a name another search has is refused and said so. */
export function RenameSavedSearchForm({ search, onClose }: RenameSavedSearchFormProps) {
  const [name, setName] = useState(search.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const fieldId = `saved-search-rename-${search.id}`;

  // The whole name selected, so typing replaces it.
  useEffect(() => field.current?.select(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = savedSearchNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Not a valid name.');
      return;
    }
    if (parsed.data === search.name) {
      onClose();
      return;
    }
    setBusy(true);
    try {
      await renameSearch(search.id, parsed.data);
      onClose();
    } catch (err) {
      setError(describeSavedSearchError(err));
      field.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="saved-searches__form saved-searches__rename" onSubmit={submit} noValidate aria-label={`Rename saved search ${search.name}`}>
      <label htmlFor={fieldId} className="field__label">
        New name for {search.name}
      </label>
      <input
        ref={field}
        id={fieldId}
        className="input"
        value={name}
        maxLength={80}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${fieldId}-error` : undefined}
      />
      {error && (
        <p className="field__error" id={`${fieldId}-error`} role="alert">
          {error}
        </p>
      )}
      <div className="saved-searches__actions">
        <button type="submit" className="btn btn--small btn--primary" disabled={busy} aria-busy={busy}>
          Rename
        </button>
        <button type="button" className="btn btn--small" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
