import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { canLoadMore } from '../lib/secrets-state.js';
import { plural } from '../lib/format.js';
import { followSecretChanges, reloadSecrets, searchSecrets, selectSecret } from '../state/secrets.js';
import { showToast, useSecrets } from '../state/stores.js';
import { SecretDetail } from './SecretDetail.js';
import { SecretFormDialog } from './SecretFormDialog.js';

const SEARCH_DEBOUNCE_MS = 150;
/** secrets.list refuses longer queries. */
const MAX_QUERY_CHARS = 128;

interface SecretsViewProps {
  creating: boolean;
  onCreatingChange: (creating: boolean) => void;
  /** Changes whenever a shortcut asks for the search box. */
  focusSearchSignal: number;
}

export function SecretsView({ creating, onCreatingChange, focusSearchSignal }: SecretsViewProps) {
  const items = useSecrets((s) => s.items);
  const total = useSecrets((s) => s.total);
  const loaded = useSecrets((s) => s.loaded);
  const loading = useSecrets((s) => s.loading);
  const error = useSecrets((s) => s.error);
  const query = useSecrets((s) => s.query);
  const selected = useSecrets((s) => s.selected);
  const moreAvailable = useSecrets(canLoadMore);
  const [text, setText] = useState(() => useSecrets.getState().query);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => followSecretChanges(), []);

  useEffect(() => {
    const timer = setTimeout(() => void searchSecrets(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    if (focusSearchSignal > 0) searchRef.current?.select();
  }, [focusSearchSignal]);

  const selectedIndex = selected ? items.findIndex((s) => s.id === selected.id) : -1;

  const moveSelection = (index: number) => {
    const target = items[Math.max(0, Math.min(items.length - 1, index))];
    if (!target) return;
    selectSecret(target);
    document.getElementById(`secret-option-${target.id}`)?.scrollIntoView({ block: 'nearest' });
  };

  const onListKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowDown: selectedIndex + 1,
      ArrowUp: selectedIndex <= 0 ? 0 : selectedIndex - 1,
      Home: 0,
      End: items.length - 1,
    };
    const index = moves[event.key];
    if (index === undefined) return;
    event.preventDefault();
    moveSelection(index);
  };

  const onSearchKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && items.length > 0) {
      event.preventDefault();
      listRef.current?.focus();
      if (selectedIndex < 0) moveSelection(0);
    } else if (event.key === 'Escape' && text) {
      event.preventDefault();
      setText('');
    }
  };

  const summary = !loaded ? 'Loading…' : query.trim() ? plural(total, 'match', 'matches') : plural(total, 'secret');

  return (
    <div className="secrets">
      <div className="secrets__list-pane">
        <div className="toolbar">
          <div className="search">
            <input
              ref={searchRef}
              type="search"
              className="input search__input"
              placeholder="Search secrets"
              aria-label="Search secrets"
              aria-keyshortcuts="/ Control+K"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={onSearchKeyDown}
              maxLength={MAX_QUERY_CHARS}
              spellCheck={false}
              autoComplete="off"
            />
          </div>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => onCreatingChange(true)}
            aria-keyshortcuts="Control+N"
            title="New secret (Ctrl+N)"
          >
            New secret
          </button>
        </div>
        <p className="secrets__count" aria-live="polite">
          {summary}
          {loading && loaded && <span className="spinner" aria-hidden="true" />}
        </p>
        {error && (
          <div className="banner banner--danger" role="alert">
            <span>{error}</span>
            <button type="button" className="btn btn--small" onClick={() => void reloadSecrets('refresh')}>
              Retry
            </button>
          </div>
        )}
        {loaded && items.length === 0 && !error ? (
          <div className="empty">
            {query.trim() ? (
              <p>No secrets match “{query.trim()}”.</p>
            ) : (
              <p>No secrets yet — create your first with New secret.</p>
            )}
          </div>
        ) : (
          <ul
            ref={listRef}
            className="secret-list"
            role="listbox"
            aria-label="Secrets"
            tabIndex={0}
            aria-activedescendant={selected && selectedIndex >= 0 ? `secret-option-${selected.id}` : undefined}
            onKeyDown={onListKeyDown}
          >
            {items.map((secret) => (
              <li
                key={secret.id}
                id={`secret-option-${secret.id}`}
                role="option"
                aria-selected={secret.id === selected?.id}
                aria-label={secret.name}
                className="secret-list__item"
                onClick={() => selectSecret(secret)}
              >
                <span className="secret-list__name">{secret.name}</span>
                {secret.description && <span className="secret-list__description">{secret.description}</span>}
              </li>
            ))}
          </ul>
        )}
        {moreAvailable && (
          <button type="button" className="btn btn--block" onClick={() => void reloadSecrets('append')} disabled={loading}>
            {loading ? 'Loading…' : `Load more (${items.length} of ${total})`}
          </button>
        )}
      </div>
      <div className="secrets__detail-pane">
        {selected ? (
          <SecretDetail key={selected.id} secret={selected} />
        ) : (
          <div className="empty empty--detail">
            <p>{items.length > 0 ? 'Select a secret to see its details.' : 'Secrets you add appear here.'}</p>
          </div>
        )}
      </div>
      {creating && (
        <SecretFormDialog
          onClose={() => onCreatingChange(false)}
          onSaved={(secret) => showToast(`Created ${secret.name}`)}
        />
      )}
    </div>
  );
}
