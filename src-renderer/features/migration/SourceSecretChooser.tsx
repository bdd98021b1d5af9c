/**
 * Choosing secrets of the source by name, for a source of any size: a search
 * sent to main (secrets.list, the secrets list's own search), a list that
 * draws only the rows in view and fetches pages of them on demand, and the
 * chosen set kept across searches. The list is a multi-select listbox: arrow
 * keys, Page Up/Down, Home and End move, Space chooses or unchooses, Ctrl+A
 * chooses every match; "Choose all N matching" does the same for a search of
 * thousands. "Show only chosen" lists the chosen set itself, to review before
 * the preview: the names chosen when it was turned on stay listed, so one
 * unchosen by mistake can be chosen again.
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
import { chosenMatching, toggleName, withNames, withoutNames } from './chosen-names.js';
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
  const [activeAt, setActiveAt] = useState({ view: 'list 0', index: 0 });
  /** "Show only chosen": the chosen names when it was turned on, or null while the source's secrets are listed. */
  const [reviewed, setReviewed] = useState<readonly string[] | null>(null);
  const [reviewCount, setReviewCount] = useState(0);
  const [bulk, setBulk] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const listRef = useRef<HTMLDivElement>(null);
  const debouncer = useMemo(() => createDebouncer(SEARCH_DEBOUNCE_MS), []);
  useEffect(() => () => debouncer.cancel(), [debouncer]);
  const chosenSet = useMemo(() => new Set(chosen), [chosen]);
  const { filters, generation } = list;
  const review = useMemo(() => (reviewed ? chosenMatching(reviewed, text) : null), [reviewed, text]);
  const total = review ? review.length : list.total;
  const loaded = review !== null || list.loaded;
  /** An empty view draws a sentence instead of the list, so the list is measured again when it comes back. */
  const empty = total === 0;
  /** The row at `index` of what is listed: a secret of the source, or a chosen name (its type is not kept with it). */
  const rowOfView = (index: number) => {
    if (!review) return rowAt(list, index);
    const name = review[index];
    return name === undefined ? undefined : { id: `chosen:${name}`, name, type: null };
  };

  useLayoutEffect(() => {
    const element = listRef.current;
    if (!element) return;
    const measure = () => setViewport((v) => (v.height === element.clientHeight ? v : { ...v, height: element.clientHeight }));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [loaded, empty]);

  const range = visibleRange(viewport.scrollTop, viewport.height, ROW_HEIGHT, total);
  // Pages of the rows in view that this query has not fetched yet; a reply to an older query is dropped by the reducer.
  useEffect(() => {
    if (reviewed) return;
    for (const page of pagesToFetch(list, range.start, range.end)) {
      dispatch({ type: 'page-requested', generation: list.generation, page });
      call('secrets.list', { ...listRequest(list.filters), offset: page * LIST_PAGE_SIZE, limit: LIST_PAGE_SIZE }).then(
        (result) => dispatch({ type: 'page-loaded', generation: list.generation, page, total: result.total, items: result.items }),
        (err: unknown) => dispatch({ type: 'page-failed', generation: list.generation, page, error: describeError(err) }),
      );
    }
  }, [list, reviewed, range.start, range.end]);

  // The keyboard's row belongs to one query of one view; a new query, or the other view, starts at the top.
  const view = reviewed ? `chosen ${reviewCount} ${text}` : `list ${generation}`;
  const active = activeAt.view === view ? Math.min(activeAt.index, Math.max(0, total - 1)) : 0;
  const setActive = (index: number) => setActiveAt({ view, index });

  const scrollToTop = () => {
    if (listRef.current) listRef.current.scrollTop = 0;
    setViewport((v) => ({ ...v, scrollTop: 0 }));
  };

  const search = (value: string) => {
    setText(value);
    scrollToTop();
    debouncer.call(() => dispatch({ type: 'filters', filters: { ...filters, query: value } }));
  };

  const showOnlyChosen = (on: boolean) => {
    setReviewed(on ? [...chosen] : null);
    if (on) setReviewCount((n) => n + 1);
    scrollToTop();
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
      const secret = rowOfView(active);
      if (secret) toggle(secret.name);
      return;
    }
    if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (review) onChange((current) => withNames(current, review));
      else if (!bulk.busy && total > 0) void allMatching(true, filters);
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
    const secret = rowOfView(index);
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
        {secret.type && <span className="chooser-row__type">{secretTypeLabels[secret.type]}</span>}
      </div>,
    );
  }
  const activeDrawn = rowOfView(active) !== undefined && active >= range.start && active < range.end;
  // The review filters as one types; the source's list once main has the query.
  const query = (review ? text : filters.query).trim();
  const matching = review ? reviewCounts(review.length, reviewed!.length, query) : query ? plural(total, 'match', 'matches') : plural(total, 'secret');
  const emptyText = review
    ? query
      ? `No chosen secret matches “${query}”.`
      : 'No secrets are chosen yet.'
    : query
      ? `No secret of the source matches “${query}”.`
      : 'The source holds no secrets.';

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
        {!review && (
          <>
            <button type="button" className="btn btn--small" disabled={!loaded || total === 0 || bulk.busy} onClick={() => void allMatching(true, filters)}>
              {query ? `Choose all ${total.toLocaleString('en')} matching` : `Choose all ${total.toLocaleString('en')}`}
            </button>
            <button
              type="button"
              className="btn btn--small"
              disabled={!loaded || total === 0 || bulk.busy || chosen.length === 0}
              onClick={() => void allMatching(false, filters)}
            >
              {query ? 'Unchoose the matching' : 'Unchoose all'}
            </button>
          </>
        )}
        <button
          type="button"
          className="btn btn--small"
          aria-pressed={review !== null}
          disabled={!review && (chosen.length === 0 || bulk.busy)}
          onClick={() => showOnlyChosen(!review)}
        >
          Show only chosen
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
        <p className="field__hint">{emptyText}</p>
      ) : (
        <div
          ref={listRef}
          className="chooser__list"
          role="listbox"
          aria-label={review ? 'Chosen secrets' : 'Secrets of the source'}
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
        {review
          ? 'Listed: the secrets chosen when “Show only chosen” was turned on; one unchosen here stays listed, to choose again. In the list: arrow keys move, Space chooses or unchooses, Ctrl+A chooses every one listed.'
          : 'Chosen secrets stay chosen when the search changes. In the list: arrow keys move, Space chooses or unchooses, Ctrl+A chooses every match.'}
      </p>
    </div>
  );
}

/** The review's count line: how many chosen names are listed, of how many were chosen when it opened. */
function reviewCounts(listed: number, reviewed: number, query: string): string {
  if (!query) return `Showing ${plural(reviewed, 'chosen secret')}`;
  return `${listed.toLocaleString('en')} of ${plural(reviewed, 'chosen secret')} ${listed === 1 ? 'matches' : 'match'}`;
}
