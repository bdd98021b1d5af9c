/**
 * Choosing secrets of the source by name, for a source of any size: a search
 * sent to main (secrets.list, the secrets list's own search), a list that
 * draws only the rows in view and fetches pages of them on demand, and the
 * chosen set kept across searches. The list is a multi-select listbox: arrow
 * keys, Page Up/Down, Home and End move, Space chooses or unchooses, Ctrl+A
 * chooses every match; "Choose all N matching" does the same for a search of
 * thousands.
 */
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import { call } from '../../api/call.js';
import { describeError } from '../../lib/errors.js';
import { plural } from '../../lib/format.js';
import {
  LIST_PAGE_SIZE,
  SEARCH_DEBOUNCE_MS,
  createDebouncer,
  defaultFilters,
  initialListState,
  listReducer,
  listRequest,
  pagesToFetch,
  rowAt,
  visibleRange,
  type ListFilters,
} from '../../lib/secret-list.js';
import { secretTypeLabels } from '../../lib/secret-types.js';
import { toggleName, withNames, withoutNames } from './chosen-names.js';
import { matchingNames } from './migration-api.js';

/** One row's height in pixels; the CSS draws rows this tall. */
const ROW_HEIGHT = 34;
/** secrets.list refuses longer queries. */
const MAX_QUERY_CHARS = 128;

interface SourceSecretChooserProps {
  /** The source manager; the parent gives the chooser a new key when it changes, so nothing of another source stays. */
  managerId: string;
  chosen: readonly string[];
  /** Changes the chosen names; given the names as they are when the change lands (choosing all matching takes a while). */
  onChange: (update: (chosen: readonly string[]) => string[]) => void;
}

export function SourceSecretChooser({ managerId, chosen, onChange }: SourceSecretChooserProps) {
  const [list, dispatch] = useReducer(listReducer, managerId, (id): typeof initialListState => ({ ...initialListState, filters: { ...defaultFilters, managerId: id } }));
  const [text, setText] = useState('');
  const [viewport, setViewport] = useState({ scrollTop: 0, height: 240 });
  const [activeAt, setActiveAt] = useState({ generation: 0, index: 0 });
  const [bulk, setBulk] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const listRef = useRef<HTMLDivElement>(null);
  const debouncer = useMemo(() => createDebouncer(SEARCH_DEBOUNCE_MS), []);
  useEffect(() => () => debouncer.cancel(), [debouncer]);
  const chosenSet = useMemo(() => new Set(chosen), [chosen]);
  const { total, loaded, filters, generation } = list;

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
  // Pages of the rows in view that this query has not fetched yet; a reply to an older query is dropped by the reducer.
  useEffect(() => {
    for (const page of pagesToFetch(list, range.start, range.end)) {
      dispatch({ type: 'page-requested', generation: list.generation, page });
      call('secrets.list', { ...listRequest(list.filters), offset: page * LIST_PAGE_SIZE, limit: LIST_PAGE_SIZE }).then(
        (result) => dispatch({ type: 'page-loaded', generation: list.generation, page, total: result.total, items: result.items }),
        (err: unknown) => dispatch({ type: 'page-failed', generation: list.generation, page, error: describeError(err) }),
      );
    }
  }, [list, range.start, range.end]);

  // The keyboard's row belongs to one query; a new query starts at the top.
  const active = activeAt.generation === generation ? Math.min(activeAt.index, Math.max(0, total - 1)) : 0;
  const setActive = (index: number) => setActiveAt({ generation, index });

  const search = (value: string) => {
    setText(value);
    if (listRef.current) listRef.current.scrollTop = 0;
    setViewport((v) => ({ ...v, scrollTop: 0 }));
    debouncer.call(() => dispatch({ type: 'filters', filters: { ...filters, query: value } }));
  };

  const toggle = (name: string) => {
    const on = !chosenSet.has(name);
    onChange((current) => toggleName(current, name, on));
  };

  /** Chooses (or unchooses) every secret the search matches, not only the rows fetched so far. */
  const allMatching = async (choose: boolean, asked: ListFilters) => {
    setBulk({ busy: true, error: null });
    try {
      const names = await matchingNames(listRequest(asked));
      onChange((current) => (choose ? withNames(current, names) : withoutNames(current, names)));
      setBulk({ busy: false, error: null });
    } catch (err) {
      setBulk({ busy: false, error: describeError(err) });
    }
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
  };

  const pageRows = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 1);
  const onListKeyDown = (event: KeyboardEvent) => {
    if (event.key === ' ') {
      event.preventDefault();
      const secret = rowAt(list, active);
      if (secret) toggle(secret.name);
      return;
    }
    if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!bulk.busy && total > 0) void allMatching(true, filters);
      return;
    }
    const moves: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + pageRows, PageUp: active - pageRows, Home: 0, End: total - 1 };
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
    } else if (event.key === 'Enter') {
      // Enter searches at once; it must not submit the migration form.
      event.preventDefault();
      debouncer.flush();
    }
  };

  const rows = [];
  for (let index = range.start; index < range.end; index++) {
    const secret = rowAt(list, index);
    if (!secret) {
      rows.push(<div key={`pending-${index}`} className="chooser-row chooser-row--pending" style={{ top: index * ROW_HEIGHT }} aria-hidden="true" />);
      continue;
    }
    const isChosen = chosenSet.has(secret.name);
    rows.push(
      <div
        key={secret.id}
        id={`chooser-row-${index}`}
        role="option"
        aria-selected={isChosen}
        aria-setsize={total}
        aria-posinset={index + 1}
        aria-label={secret.name}
        className={`chooser-row${index === active ? ' is-active' : ''}`}
        style={{ top: index * ROW_HEIGHT }}
        onClick={() => {
          setActive(index);
          toggle(secret.name);
        }}
      >
        <span className="chooser-row__box" aria-hidden="true" />
        <span className="chooser-row__name mono">{secret.name}</span>
        <span className="chooser-row__type">{secretTypeLabels[secret.type]}</span>
      </div>,
    );
  }
  const activeDrawn = rowAt(list, active) !== undefined && active >= range.start && active < range.end;
  const query = filters.query.trim();
  const matching = query ? plural(total, 'match', 'matches') : plural(total, 'secret');

  return (
    <div className="chooser">
      <div className="chooser__bar">
        <input
          type="search"
          className="input chooser__search"
          aria-label="Search the source’s secrets"
          aria-describedby="chooser-keys-hint"
          placeholder="Search the source’s secrets"
          value={text}
          maxLength={MAX_QUERY_CHARS}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => search(e.target.value)}
          onKeyDown={onSearchKeyDown}
        />
        <button type="button" className="btn btn--small" disabled={!loaded || total === 0 || bulk.busy} onClick={() => void allMatching(true, filters)}>
          {query ? `Choose all ${total.toLocaleString('en')} matching` : `Choose all ${total.toLocaleString('en')}`}
        </button>
        <button type="button" className="btn btn--small" disabled={!loaded || total === 0 || bulk.busy || chosen.length === 0} onClick={() => void allMatching(false, filters)}>
          {query ? 'Unchoose the matching' : 'Unchoose all'}
        </button>
      </div>
      <p className="chooser__counts" role="status">
        {loaded ? matching : 'Loading the source’s secrets…'}
        {' · '}
        <strong>{chosen.length.toLocaleString('en')} chosen</strong>
        {bulk.busy && ' · choosing…'}
      </p>
      {(list.error ?? bulk.error) && (
        <p className="field__error" role="alert">
          {list.error ?? bulk.error}
        </p>
      )}
      {loaded && total === 0 ? (
        <p className="field__hint">{query ? `No secret of the source matches “${query}”.` : 'The source holds no secrets.'}</p>
      ) : (
        <div
          ref={listRef}
          className="chooser__list"
          role="listbox"
          aria-label="Secrets of the source"
          aria-multiselectable="true"
          aria-describedby="chooser-keys-hint"
          tabIndex={0}
          aria-activedescendant={activeDrawn ? `chooser-row-${active}` : undefined}
          aria-busy={!loaded}
          onKeyDown={onListKeyDown}
          onScroll={(e) => {
            const scrollTop = e.currentTarget.scrollTop;
            // One render per row scrolled past, not per pixel.
            setViewport((v) => (Math.floor(v.scrollTop / ROW_HEIGHT) === Math.floor(scrollTop / ROW_HEIGHT) ? v : { ...v, scrollTop }));
          }}
        >
          <div className="chooser__spacer" style={{ height: total * ROW_HEIGHT }}>
            {rows}
          </div>
        </div>
      )}
      <p className="field__hint" id="chooser-keys-hint">
        Chosen secrets stay chosen when the search changes. In the list: arrow keys move, Space chooses or unchooses, Ctrl+A chooses every match.
      </p>
    </div>
  );
}
