import { useEffect, useRef, useState } from 'react';
import type { SecretFilter } from '../../../src-shared/contract.js';
import { describeError } from '../../lib/errors.js';
import { RenameSavedSearchForm } from './RenameSavedSearchForm.js';
import { SavedSearchNameForm } from './SavedSearchNameForm.js';
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
  const [error, setError] = useState<string | null>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  /** The search whose name is being edited. */
  const [renaming, setRenaming] = useState<string | null>(null);
  /** The search whose Rename button takes focus back when it is drawn again, once its edit closes. */
  const refocus = useRef<string | null>(null);

  useEffect(() => {
    loadSavedSearches().catch((err: unknown) => setError(describeError(err)));
  }, []);
  // The Save search button back (drawn again once the form is gone) when the form closes.
  const opened = useRef(false);
  useEffect(() => {
    if (!naming && opened.current) saveButton.current?.focus();
    opened.current ||= naming;
  }, [naming]);

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
        <SavedSearchNameForm
          title="Save search"
          label="Name of the search"
          hint="Keeps the search text, types, application and environment shown now."
          initialName=""
          submitLabel="Save"
          onSubmit={async (name) => {
            await saveSearch(name, filter);
            setNaming(false);
          }}
          onCancel={() => setNaming(false)}
        />
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
