import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SecretFilter } from '../../../src-shared/contract.js';
import { savedSearchNameSchema } from '../../../src-shared/saved-search-contract.js';
import { describeError } from '../../lib/errors.js';
import { describeSavedSearchError } from './saved-search-errors.js';
import { RenameSavedSearchForm } from './RenameSavedSearchForm.js';
import { deleteSearch, loadSavedSearches, saveSearch, useSavedSearches } from './saved-searches-state.js';
import './saved-searches.css';

interface SavedSearchesProps {
  /** The secrets list's filter as it is now: what "Save search" keeps. */
  filter: SecretFilter;
  onApply: (filter: SecretFilter) => void;
}

/** "Save search" for the list's current filter, and the saved searches, each applied, renamed (in place) or deleted with one button. */
export function SavedSearches({ filter, onApply }: SavedSearchesProps) {
  const { items } = useSavedSearches();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const saveButton = useRef<HTMLButtonElement>(null);
  const nameField = useRef<HTMLInputElement>(null);
  /** The search whose name is being edited. */
  const [renaming, setRenaming] = useState<string | null>(null);
  /** The search whose Rename button takes focus back when it is drawn again, once its edit closes. */
  const refocus = useRef<string | null>(null);

  useEffect(() => {
    loadSavedSearches().catch((err: unknown) => setError(describeError(err)));
  }, []);
  // The field when the form opens; the button back (drawn again once the form is gone) when it closes.
  const opened = useRef(false);
  useEffect(() => {
    if (naming) nameField.current?.focus();
    else if (opened.current) saveButton.current?.focus();
    opened.current ||= naming;
  }, [naming]);

  const close = () => {
    setNaming(false);
    setName('');
    setError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = savedSearchNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Not a valid name.');
      return;
    }
    setBusy(true);
    try {
      await saveSearch(parsed.data, filter);
      close();
    } catch (err) {
      setError(describeSavedSearchError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="saved-searches" aria-labelledby="saved-searches-title">
      <div className="saved-searches__head">
        <h2 id="saved-searches-title" className="saved-searches__title">
          Saved searches
        </h2>
        {!naming && (
          <button ref={saveButton} type="button" className="btn btn--small" onClick={() => setNaming(true)}>
            Save search
          </button>
        )}
      </div>
      {naming && (
        <form className="saved-searches__form" onSubmit={submit} noValidate aria-label="Save search">
          <label htmlFor="saved-search-name" className="field__label">
            Name of the search
          </label>
          <input
            ref={nameField}
            id="saved-search-name"
            className="input"
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                close();
              }
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'saved-search-error' : 'saved-search-hint'}
          />
          {error ? (
            <p className="field__error" id="saved-search-error" role="alert">
              {error}
            </p>
          ) : (
            <p className="field__hint" id="saved-search-hint">
              Keeps the search text, types, application and environment shown now.
            </p>
          )}
          <div className="saved-searches__actions">
            <button type="submit" className="btn btn--small btn--primary" disabled={busy} aria-busy={busy}>
              Save
            </button>
            <button type="button" className="btn btn--small" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {!naming && error && <p className="field__error">{error}</p>}
      {items.length > 0 && (
        <ul className="saved-searches__list" aria-label="Saved searches">
          {items.map((item) =>
            renaming === item.id ? (
              <li key={item.id} className="saved-searches__item saved-searches__item--editing">
                <RenameSavedSearchForm
                  search={item}
                  onClose={() => {
                    refocus.current = item.id;
                    setRenaming(null);
                  }}
                />
              </li>
            ) : (
              <li key={item.id} className="saved-searches__item">
                <button type="button" className="saved-searches__apply" onClick={() => onApply(item.filter)} aria-label={`Apply saved search ${item.name}`}>
                  {item.name}
                </button>
                <button
                  ref={(button) => {
                    if (button && refocus.current === item.id) {
                      refocus.current = null;
                      button.focus();
                    }
                  }}
                  type="button"
                  className="btn btn--small saved-searches__rename-button"
                  onClick={() => setRenaming(item.id)}
                  aria-label={`Rename saved search ${item.name}`}
                  title={`Rename saved search ${item.name}`}
                >
                  ✎
                </button>
                <button
                  type="button"
                  className="btn btn--small saved-searches__delete"
                  onClick={() => deleteSearch(item.id).catch((err: unknown) => setError(describeError(err)))}
                  aria-label={`Delete saved search ${item.name}`}
                  title={`Delete saved search ${item.name}`}
                >
                  ×
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}
