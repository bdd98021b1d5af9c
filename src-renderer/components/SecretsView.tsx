import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { kindLabels, secretTypes, type SecretType } from '../../src-shared/contract.js';
import { useIntent } from '../hooks/use-intent.js';
import { plural } from '../lib/format.js';
import { ROW_HEIGHT, filtersActive, listRequest, rowAt, visibleRange, type ListFilters, type SortKey } from '../lib/secret-list.js';
import { secretSummaryLine, secretTypeBadges, secretTypeLabels } from '../lib/secret-types.js';
import { ensureRows, followSecretChanges, refreshList, searchSecrets, selectSecret, setListFilters } from '../state/secrets.js';
import { showToast, useCatalog, useSecretList, useSecrets } from '../state/stores.js';
import { SavedSearches } from '../features/saved-searches/index.js';
import { SecretDetail } from './SecretDetail.js';
import { SecretFormDialog } from './SecretFormDialog.js';
import { ReferenceDialog } from './ReferenceDialog.js';
import { BulkScopeDialog, listedSecrets, type BulkTarget } from '../features/bulk-scope/index.js';
import { emptySelection, extendTo, selectAll, toggle, type SecretSelection } from '../lib/secret-selection.js';
import { describeError } from '../lib/errors.js';
import { useSearchIndex } from '../state/search-index.js';
import './secrets-view.css';
import './type-badge.css';

/** secrets.list refuses longer queries. */
const MAX_QUERY_CHARS = 128;

interface SecretsViewProps {
  /** Changes whenever a shortcut asks for the search box. */
  focusSearchSignal: number;
}

const sortLabels: Record<SortKey, string> = { name: 'Name', type: 'Type', updated: 'Last updated', created: 'Created' };

/** A button that opens the type checkboxes; Esc or a click outside closes them and focus returns to the button. */
function TypeFilter({ types, onChange }: { types: SecretType[]; onChange: (types: SecretType[]) => void }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const summary = types.length === 0 ? 'All types' : types.length === 1 ? secretTypeLabels[types[0]!] : `${types.length} types`;

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    // On the document: "Show all types" removes itself, which leaves focus on the body.
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      event.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [open]);

  return (
    <div ref={rootRef} className="type-filter">
      <button
        ref={buttonRef}
        type="button"
        className="input type-filter__summary"
        aria-label={`Type filter: ${summary}`}
        aria-expanded={open}
        aria-controls="type-filter-menu"
        onClick={() => setOpen((o) => !o)}
      >
        {summary}
      </button>
      {open && (
        <fieldset className="type-filter__menu" id="type-filter-menu">
          <legend className="visually-hidden">Show types</legend>
          {secretTypes.map((type) => (
            <label key={type} className="choice">
              <input
                type="checkbox"
                checked={types.includes(type)}
                onChange={(e) => onChange(e.target.checked ? [...types, type] : types.filter((t) => t !== type))}
              />
              {secretTypeLabels[type]}
            </label>
          ))}
          {types.length > 0 && (
            <button
              type="button"
              className="btn btn--small btn--ghost"
              onClick={() => {
                onChange([]);
                buttonRef.current?.focus();
              }}
            >
              Show all types
            </button>
          )}
        </fieldset>
      )}
    </div>
  );
}

interface FilterSelectProps {
  label: string;
  /** The first choice, which filters nothing out. */
  allLabel: string;
  value: string;
  items: readonly { id: string; name: string }[];
  onChange: (id: string) => void;
  /** Why the filter cannot be used yet, shown on hover while it is disabled. */
  disabledReason?: string;
}

/** Narrows the list to the secrets of one named thing: a manager, an application, an environment. */
function FilterSelect({ label, allLabel, value, items, onChange, disabledReason }: FilterSelectProps) {
  return (
    <select className="input" aria-label={label} value={value} disabled={disabledReason !== undefined} title={disabledReason} onChange={(e) => onChange(e.target.value)}>
      <option value="">{allLabel}</option>
      {items.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </select>
  );
}

export function SecretsView({ focusSearchSignal }: SecretsViewProps) {
  const list = useSecretList();
  const selected = useSecrets((s) => s.selected);
  const apps = useCatalog((s) => s.apps);
  const managers = useCatalog((s) => s.managers);
  const { filters, total, loaded, loading, error } = list;
  const searchIndex = useSearchIndex();
  const [bulkScope, setBulkScope] = useState<{ target: BulkTarget; count: number; selection: string } | null>(null);
  /** Selection mode: rows show ticks, and the bulk scope edit applies to the ticked secrets. */
  const [selecting, setSelecting] = useState(false);
  const [selection, setSelection] = useState<SecretSelection>(emptySelection);
  const [selectingAll, setSelectingAll] = useState(false);
  const [text, setText] = useState(() => useSecretList.getState().filters.query);
  const [viewport, setViewport] = useState({ scrollTop: 0, height: 600 });
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => followSecretChanges(), []);

  // The first page at once (or the cached one, coming back to this view).
  useEffect(() => {
    const state = useSecretList.getState();
    if (!state.loaded) setListFilters({});
    else refreshList();
  }, []);

  useEffect(() => {
    if (focusSearchSignal > 0) searchRef.current?.select();
  }, [focusSearchSignal]);

  // Track the list's height so the window of rows matches what fits.
  useLayoutEffect(() => {
    const element = listRef.current;
    if (!element) return;
    const measure = () => setViewport((v) => (v.height === element.clientHeight ? v : { ...v, height: element.clientHeight }));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [loaded]);

  const range = visibleRange(viewport.scrollTop, viewport.height, ROW_HEIGHT, total);
  useEffect(() => {
    if (loaded) ensureRows(range.start, range.end);
  }, [loaded, range.start, range.end, list.generation]);

  // The keyboard's row belongs to one query; a new query starts at the top.
  const filtersKey = JSON.stringify(listRequest(filters));
  const [activeAt, setActiveAt] = useState({ key: filtersKey, index: 0 });
  /** The reference dialog, open; prefilled when a create found the name taken in a secret store. */
  const [referencing, setReferencing] = useState<false | { name: string; managerId: string } | undefined>(false);
  const [creating, setCreating] = useState<SecretType | null>(null);
  useIntent('new-secret', ({ type }) => setCreating(type));
  useIntent('new-reference', () => setReferencing(undefined));
  /** The ticked secrets when any are, otherwise every secret the list shows. */
  const openBulkScope = () => {
    if (selection.picked.size > 0) {
      setBulkScope({ target: { kind: 'picked', ids: [...selection.picked.keys()] }, count: selection.picked.size, selection: '' });
      return;
    }
    const current = useSecretList.getState();
    setBulkScope({ target: { kind: 'listed', filters: current.filters }, count: current.total, selection: selectionText(current.filters, apps, managers) });
  };
  useIntent('edit-scopes', openBulkScope);
  const picked = selection.picked.size;
  const stopSelecting = () => {
    setSelecting(false);
    setSelection(emptySelection);
  };
  const tickAllListed = async () => {
    setSelectingAll(true);
    try {
      setSelection(selectAll(await listedSecrets(useSecretList.getState().filters)));
    } catch (err) {
      showToast(`Could not select them all: ${describeError(err)}`);
    } finally {
      setSelectingAll(false);
    }
  };
  const active = activeAt.key === filtersKey ? activeAt.index : 0;
  const setActive = (index: number) => setActiveAt({ key: filtersKey, index });

  const toTop = () => {
    if (listRef.current) listRef.current.scrollTop = 0;
    setViewport((v) => ({ ...v, scrollTop: 0 }));
  };
  const changeFilters = (changes: Partial<ListFilters>) => {
    toTop();
    setListFilters(changes);
  };

  const onText = (value: string) => {
    setText(value);
    toTop();
    searchSecrets(value);
  };

  // A secret just added must show in the list beside its details, so a search or filter that hides it goes.
  const showAdded = (message: string) => {
    if (!filtersActive(useSecretList.getState().filters)) {
      showToast(message);
      return;
    }
    setText('');
    changeFilters({ query: '', types: [], managerId: '', applicationId: '', environmentId: '' });
    showToast(`${message}. Search and filters cleared so it shows in the list`);
  };

  const scrollToRow = (index: number) => {
    const element = listRef.current;
    if (!element) return;
    const top = index * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  };

  const moveActive = (index: number) => {
    if (total === 0) return;
    const next = Math.max(0, Math.min(total - 1, index));
    setActive(next);
    scrollToRow(next);
    ensureRows(next, next + 1);
  };

  const open = (index: number) => {
    const secret = rowAt(list, index);
    if (secret) selectSecret(secret);
  };

  const pageRows = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 1);
  const onListKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + pageRows,
      PageUp: active - pageRows,
      Home: 0,
      End: total - 1,
    };
    if (selecting && event.key === ' ') {
      event.preventDefault();
      const secret = rowAt(list, active);
      if (event.shiftKey) setSelection(extendTo(selection, active, (index) => rowAt(list, index)));
      else if (secret) setSelection(toggle(selection, active, secret));
      return;
    }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(active);
      return;
    }
    const index = moves[event.key];
    if (index === undefined) return;
    event.preventDefault();
    moveActive(index);
  };

  const onSearchKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && total > 0) {
      event.preventDefault();
      listRef.current?.focus();
      moveActive(0);
    } else if (event.key === 'Enter' && total > 0) {
      event.preventDefault();
      open(0);
    } else if (event.key === 'Escape' && text) {
      event.preventDefault();
      onText('');
    }
  };

  // A secret kept outside the built-in store says where, so the list shows which store holds what.
  const externalManagers = new Map(managers.filter((m) => m.role !== 'local').map((m) => [m.id, m.name]));
  const withStore = (line: string, managerId: string) => {
    const store = externalManagers.get(managerId);
    return store ? [line, `in ${store}`].filter(Boolean).join(' · ') : line;
  };

  const anyFilter = filtersActive(filters);
  const summary = !loaded ? 'Loading…' : anyFilter ? plural(total, 'match', 'matches') : plural(total, 'secret');
  const selectedApp = apps.find((app) => app.id === filters.applicationId);
  const rows = [];
  for (let index = range.start; index < range.end; index++) {
    const secret = rowAt(list, index);
    const isActive = index === active;
    if (!secret) {
      rows.push(
        <div key={`pending-${index}`} className="secret-row secret-row--pending" style={{ top: index * ROW_HEIGHT }} aria-hidden="true">
          <span className="secret-row__skeleton" />
        </div>,
      );
      continue;
    }
    rows.push(
      <div
        key={secret.id}
        id={`secret-row-${index}`}
        role="option"
        aria-selected={selecting ? selection.picked.has(secret.id) : secret.id === selected?.id}
        aria-setsize={total}
        aria-posinset={index + 1}
        aria-label={secret.name}
        className={`secret-row${isActive ? ' is-active' : ''}`}
        style={{ top: index * ROW_HEIGHT }}
        onClick={(event) => {
          setActive(index);
          if (!selecting) selectSecret(secret);
          else if (event.shiftKey) setSelection(extendTo(selection, index, (at) => rowAt(list, at)));
          else setSelection(toggle(selection, index, secret));
        }}
      >
        {selecting && (
          <span className={`secret-row__tick${selection.picked.has(secret.id) ? ' is-ticked' : ''}`} aria-hidden="true">
            {selection.picked.has(secret.id) ? '✓' : ''}
          </span>
        )}
        <span className={`type-badge type-badge--${secret.type}`} title={secretTypeLabels[secret.type]}>
          {secretTypeBadges[secret.type]}
        </span>
        <span className="secret-row__text">
          <span className="secret-row__name">{secret.name}</span>
          <span className="secret-row__summary">{withStore(secretSummaryLine(secret), secret.managerId)}</span>
        </span>
      </div>,
    );
  }
  const activeLoaded = rowAt(list, active) !== undefined && active >= range.start && active < range.end;

  return (
    <div className="secrets">
      <div className="secrets__list-pane">
        <div className="search">
          <input
            ref={searchRef}
            type="search"
            className="input search__input"
            placeholder="Search secrets"
            aria-label="Search secrets"
            aria-keyshortcuts="/"
            value={text}
            onChange={(e) => onText(e.target.value)}
            onKeyDown={onSearchKeyDown}
            maxLength={MAX_QUERY_CHARS}
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <div className="toolbar">
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => setCreating('text')}
            aria-keyshortcuts="Control+N"
            title="New secret (Ctrl+N)"
          >
            New secret
          </button>
          <button type="button" className="btn" onClick={() => setReferencing(undefined)} title={`Point at a secret already kept in ${kindLabels((spec) => spec.role === 'secret-store')}`}>
            Reference…
          </button>
          <button
            type="button"
            className="btn"
            aria-pressed={selecting}
            title="Tick secrets for a bulk scope edit (click or Space; Shift ticks a range)"
            onClick={() => (selecting ? stopSelecting() : setSelecting(true))}
          >
            Select
          </button>
          <button
            type="button"
            className="btn"
            disabled={!loaded || (total === 0 && picked === 0)}
            title={picked > 0 ? `Change the usage scope of the ${plural(picked, 'selected secret')}` : 'Change the usage scope of every secret the list shows'}
            onClick={openBulkScope}
          >
            Edit scopes…
          </button>
        </div>
        {selecting && (
          <div className="selection-bar" role="group" aria-label="Selection">
            <p className="selection-bar__count" role="status">
              {picked > 0 ? `${picked.toLocaleString('en')} selected` : 'None selected: a bulk edit applies to every secret listed'}
            </p>
            <button type="button" className="btn btn--small" onClick={() => void tickAllListed()} disabled={selectingAll || total === 0} aria-busy={selectingAll}>
              Select all listed
            </button>
            <button type="button" className="btn btn--small" onClick={() => setSelection(emptySelection)} disabled={picked === 0}>
              Clear selection
            </button>
          </div>
        )}
        {searchIndex.indexing && (
          <p className="secrets__indexing" role="status">
            Indexing {searchIndex.names === null ? '' : `${searchIndex.names.toLocaleString('en')} `}names… search may be slower
          </p>
        )}
        <div className="filters" role="group" aria-label="Filters and sort">
          <TypeFilter types={filters.types} onChange={(types) => changeFilters({ types })} />
          <FilterSelect label="Manager filter" allLabel="All managers" value={filters.managerId} items={managers} onChange={(managerId) => changeFilters({ managerId })} />
          <FilterSelect
            label="Application filter"
            allLabel="All applications"
            value={filters.applicationId}
            items={apps}
            onChange={(applicationId) => changeFilters({ applicationId, environmentId: '' })}
          />
          <FilterSelect
            label="Environment filter"
            allLabel="All environments"
            value={filters.environmentId}
            items={selectedApp?.environments ?? []}
            onChange={(environmentId) => changeFilters({ environmentId })}
            disabledReason={selectedApp ? undefined : 'Choose an application first'}
          />
          <div className="filters__sort">
            <select className="input" aria-label="Sort by" value={filters.sort} onChange={(e) => changeFilters({ sort: e.target.value as SortKey })}>
              {(Object.keys(sortLabels) as SortKey[]).map((key) => (
                <option key={key} value={key}>
                  {sortLabels[key]}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn btn--small"
              aria-label={`Sort direction: ${filters.direction === 'asc' ? 'ascending' : 'descending'}`}
              title="Reverse the order"
              onClick={() => changeFilters({ direction: filters.direction === 'asc' ? 'desc' : 'asc' })}
            >
              {filters.direction === 'asc' ? '↑ Asc' : '↓ Desc'}
            </button>
          </div>
        </div>
        <SavedSearches
          // The text in the box, not the filter it is still debouncing into: "Save search" right after typing keeps what the user sees.
          filter={{ query: text, types: filters.types, ...(filters.applicationId ? { applicationId: filters.applicationId } : {}), ...(filters.environmentId ? { environmentId: filters.environmentId } : {}) }}
          onApply={(saved) => {
            setText(saved.query);
            changeFilters({ query: saved.query, types: saved.types, applicationId: saved.applicationId ?? '', environmentId: saved.environmentId ?? '' });
          }}
        />
        <p className="secrets__count" aria-live="polite">
          {summary}
          {loading && loaded && <span className="spinner" aria-hidden="true" />}
        </p>
        {error && (
          <div className="banner banner--danger" role="alert">
            <span>{error}</span>
            <button type="button" className="btn btn--small" onClick={refreshList}>
              Retry
            </button>
          </div>
        )}
        {loaded && total === 0 && !error ? (
          <div className="empty">
            {filters.query.trim() ? (
              <p>No secrets match “{filters.query.trim()}”.</p>
            ) : anyFilter ? (
              <p>No secrets match these filters.</p>
            ) : (
              <p>No secrets yet — create your first with New secret.</p>
            )}
          </div>
        ) : (
          <div
            ref={listRef}
            className="secret-list"
            role="listbox"
            aria-label="Secrets"
            aria-multiselectable={selecting || undefined}
            tabIndex={0}
            aria-activedescendant={activeLoaded ? `secret-row-${active}` : undefined}
            aria-busy={!loaded}
            onKeyDown={onListKeyDown}
            onScroll={(e) => {
              const scrollTop = e.currentTarget.scrollTop;
              // One render per row scrolled past, not per pixel.
              setViewport((v) => (Math.floor(v.scrollTop / ROW_HEIGHT) === Math.floor(scrollTop / ROW_HEIGHT) ? v : { ...v, scrollTop }));
            }}
          >
            <div className="secret-list__spacer" style={{ height: total * ROW_HEIGHT }}>
              {rows}
            </div>
          </div>
        )}
      </div>
      <div className="secrets__detail-pane">
        {selected ? (
          <SecretDetail key={selected.id} secret={selected} />
        ) : (
          <div className="empty empty--detail">
            <p>{total > 0 ? 'Select a secret to see its details.' : 'Secrets you add appear here.'}</p>
          </div>
        )}
      </div>
      {creating && (
        <SecretFormDialog
          initialType={creating}
          onClose={() => setCreating(null)}
          onSaved={(secret) => showAdded(`Created ${secret.name}`)}
          onReference={(prefill) => {
            setCreating(null);
            setReferencing(prefill);
          }}
        />
      )}
      {bulkScope && <BulkScopeDialog {...bulkScope} onClose={() => setBulkScope(null)} />}
      {referencing !== false && (
        <ReferenceDialog initial={referencing} onClose={() => setReferencing(false)} onSaved={(secret) => showAdded(`Added reference ${secret.name}`)} />
      )}
    </div>
  );
}

/** Which secrets a bulk edit covers, in words: "matching “db”, type SSH key, in billing". */
function selectionText(filters: ListFilters, apps: { id: string; name: string; environments: { id: string; name: string }[] }[], managers: { id: string; name: string }[]): string {
  const app = apps.find((candidate) => candidate.id === filters.applicationId);
  const parts = [
    filters.query.trim() ? `matching “${filters.query.trim()}”` : '',
    filters.types.length ? `of type ${filters.types.map((type) => secretTypeLabels[type]).join(' or ')}` : '',
    filters.managerId ? `in ${managers.find((manager) => manager.id === filters.managerId)?.name ?? 'one manager'}` : '',
    app ? `usable by ${app.name}${filters.environmentId ? ` · ${app.environments.find((env) => env.id === filters.environmentId)?.name ?? ''}` : ''}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}
