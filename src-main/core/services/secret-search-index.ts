/**
 * An in-memory index of secret names, so the list answers every keystroke in
 * about a frame where SQLite's instr() over every name took 50-100 ms at
 * 100,000 secrets. It answers exactly what `listBySql` (secret-list-query.ts)
 * answers, in the same order: names match by instr(lower(name), lower(query))
 * (lower() folds ASCII only), and the orders are the ones the SQL states.
 *
 * It holds names, types, manager ids and timestamps — what the list shows
 * anyway, never a value — and lives only in main while the store is unlocked.
 *
 * Building: every name is read from one snapshot taken by a second,
 * read-only connection, a step of BUILD_STEP_ROWS rows at a time, so the
 * caller (secret-list-search.ts) spreads the work over many turns of the
 * event loop and main keeps answering meanwhile; this connection stays free
 * to write.
 *
 * Staying current: temporary triggers (they exist on this connection only)
 * record the rowid of every secret this connection writes, whichever service
 * writes it, in the same transaction, so a rolled-back write leaves no trace;
 * the next query applies those rows first, including those written while the
 * index was being built. A commit by another connection changes `PRAGMA
 * data_version`: the index is then stale, and `page` says so (null).
 *
 * Matching: names are indexed by trigram, padded at the end so one or two
 * characters are the prefix of a trigram wherever they occur. A query of
 * four characters or more checks the postings of its rarest trigram with
 * includes(); shorter ones are exact unions of postings. Without other
 * filters, a short query's total is kept as a count and its page walked from
 * the start of the order. The page among collected matches is found by
 * bucketing their positions in the order, so no query sorts all its matches.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { prepared } from '../store/prepared.js';
import { orderBy, scopeClause, type ListFilter, type ListQuery } from './secret-list-query.js';

/** lower() in SQLite without ICU: ASCII letters only. */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

/**
 * SQLite's NOCASE order: ASCII folded, then compared as UTF-8 bytes, which is
 * code point order. JavaScript compares UTF-16 units, which differs only where
 * a surrogate meets a unit from U+E000 up: shift those so the order agrees.
 */
function compareFolded(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** A query crosses into SQLite as UTF-8, where a lone surrogate becomes U+FFFD: match what SQLite is given. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const compareBinary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A growable list of slot numbers. */
class Postings {
  items = new Int32Array(4);
  length = 0;
  /** Entries whose slot has died since (deleted, renamed or changed): length - dead is exact. */
  dead = 0;

  push(slot: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = slot;
  }
}

/** Trigram keys: three ASCII characters pack into a small integer (the common case); anything else keys by its text. */
function trigramKey(text: string, at: number): number | string {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const c = text.charCodeAt(at + 2);
  return (a | b | c) < 128 ? (a << 14) | (b << 7) | c : text.slice(at, at + 3);
}

/** Pads names for trigrams; secret names cannot contain it (a query that does is answered by a scan). */
const PAD = '\u0000';

type SortKey = ListQuery['sort'];
const SORT_KEYS: SortKey[] = ['name', 'type', 'updated', 'created'];

/** One slot per secret ever seen since the last build; a deleted secret's slot stays, marked dead. */
interface Slots {
  rowid: number[];
  folded: string[];
  type: string[];
  manager: string[];
  created: string[];
  updated: string[];
  alive: Uint8Array;
}

/** Slots in ascending order of one sort key, and each slot's position in it. */
interface Order {
  slots: Int32Array;
  length: number;
  rank: Int32Array;
}

interface ScopeFilter {
  key: string;
  allowed: Uint8Array;
}

/** Beyond this share of the secrets changed at once, rebuilding is cheaper than merging. */
const REBUILD_SHARE = 0.25;

/** A broad short query's page is walked along the order when it lies within this many names of its start. */
const WALK_LIMIT = 20_000;

/** Rows read between two yields of a build: about a millisecond of work. */
export const BUILD_STEP_ROWS = 1024;

const CHANGE_TABLE = 'temp.secret_search_changes';
/** Triggers that record changes made on this connection; a NULL rowid means scopes or environments changed. */
const TRIGGERS = [
  `CREATE TEMP TABLE IF NOT EXISTS secret_search_changes (secret_rowid INTEGER)`,
  `CREATE TEMP TRIGGER IF NOT EXISTS secret_search_insert AFTER INSERT ON main.secrets BEGIN INSERT INTO ${CHANGE_TABLE} VALUES (new.rowid); END`,
  `CREATE TEMP TRIGGER IF NOT EXISTS secret_search_delete AFTER DELETE ON main.secrets BEGIN INSERT INTO ${CHANGE_TABLE} VALUES (old.rowid); END`,
  `CREATE TEMP TRIGGER IF NOT EXISTS secret_search_update AFTER UPDATE OF name, type, manager_id, created_at, updated_at ON main.secrets
     BEGIN INSERT INTO ${CHANGE_TABLE} VALUES (old.rowid); INSERT INTO ${CHANGE_TABLE} SELECT new.rowid WHERE new.rowid <> old.rowid; END`,
  ...['scope_entries', 'environments'].flatMap((table) =>
    ['INSERT', 'UPDATE', 'DELETE'].map(
      (event) => `CREATE TEMP TRIGGER IF NOT EXISTS secret_search_${table}_${event.toLowerCase()} AFTER ${event} ON main.${table} BEGIN INSERT INTO ${CHANGE_TABLE} VALUES (NULL); END`,
    ),
  ),
];

const COLUMNS = 'rowid, name, type, manager_id, created_at, updated_at';
type IndexedRow = { rowid: number; name: string; type: string; manager_id: string; created_at: string; updated_at: string };
type IndexedTuple = [number, string, string, string, string, string];

export class SecretSearchIndex {
  private slots: Slots = emptySlots(0);
  private slotOf = new Map<number, number>();
  private trigrams = new Map<number | string, Postings>();
  /** The postings of every trigram that starts with a given one or two characters. */
  private byPrefix = new Map<string, Postings[]>();
  /** How many live names contain each one- or two-character string: the total of a short query without other filters. */
  private shortCounts = new ShortCounts();
  private orders = new Map<SortKey, Order>();
  private aliveCount = 0;
  private dataVersion = -1;
  private readonly sharedStrings = new Map<string, string>();
  /** Set once a change could not be applied: every later query says so. */
  private stale = false;
  private scopeFilter: ScopeFilter | null = null;
  /** Per slot, the query that last matched it: marks matches without clearing an array per query. */
  private mark = new Uint32Array(0);
  private epoch = 0;
  private matches = new Int32Array(0);

  private constructor(private readonly db: Database) {}

  /**
   * Reads every secret's name and sort fields, yielding every BUILD_STEP_ROWS
   * rows; returns the index. The triggers it installs outlive the index, on
   * this connection. Stopping it early (`return()`) closes its connection.
   */
  static *building(db: Database): Generator<void, SecretSearchIndex> {
    for (const statement of TRIGGERS) db.exec(statement);
    const index = new SecretSearchIndex(db);
    // Before the snapshot: anything this connection writes from now on is applied at the first query (again, harmlessly, if the snapshot holds it).
    index.dataVersion = dataVersion(db);
    prepared(db, `DELETE FROM ${CHANGE_TABLE}`).run();
    const reader = new BetterSqlite3(db.name, { readonly: true, fileMustExist: true });
    try {
      // One read transaction: every pass reads the same snapshot, whatever is committed meanwhile.
      reader.exec('BEGIN');
      let read = 0;
      // Table order (sequential reads); every order comes from SQLite's own indexes, so it is SQLite's order by construction.
      for (const [rowid, name, type, manager_id, created_at, updated_at] of reader.prepare(`SELECT ${COLUMNS} FROM secrets`).raw().iterate() as IterableIterator<IndexedTuple>) {
        index.addSlot({ rowid, name, type, manager_id, created_at, updated_at });
        if (++read % BUILD_STEP_ROWS === 0) yield;
      }
      const count = index.slots.rowid.length;
      index.grow(count);
      for (const sort of SORT_KEYS) {
        const slots = new Int32Array(count);
        let at = 0;
        for (const rowid of reader.prepare(`SELECT s.rowid FROM secrets s ORDER BY ${orderBy(sort, 'asc')}`).pluck().iterate() as IterableIterator<number>) {
          slots[at++] = index.slotOf.get(rowid)!;
          if (at % BUILD_STEP_ROWS === 0) yield;
        }
        index.orders.set(sort, orderOf(slots, count));
        yield;
      }
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    // Postings grew by doubling: give back what they did not fill, a quarter of their memory on average.
    let trimmed = 0;
    for (const postings of index.trigrams.values()) {
      if (postings.items.length > Math.max(4, postings.length)) postings.items = postings.items.slice(0, Math.max(4, postings.length));
      if ((trimmed += postings.length) >= 64 * BUILD_STEP_ROWS) {
        trimmed = 0;
        yield;
      }
    }
    return index;
  }

  /** Builds in one go: for tests and callers that can wait. */
  static build(db: Database): SecretSearchIndex {
    const steps = SecretSearchIndex.building(db);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * The total and the page's rowids, as `listBySql` would return them; null
   * once the index is stale (another connection committed, or a bulk change):
   * build a new one then.
   */
  page(request: ListQuery): { total: number; rowids: number[] } | null {
    if (!this.catchUp()) return null;
    const order = this.orders.get(request.sort)!;
    const query = asciiLower(wellFormed(request.query.trim()));
    const otherFilters = Boolean(request.types?.length || request.managerId || request.applicationId || request.environmentId);
    if (!query && !otherFilters) return { total: this.aliveCount, rowids: this.walk(order, request)! };
    if (!otherFilters && query.length <= 3 && !query.includes(PAD)) {
      // A short query's total is kept; when it is broad ("d" is in most names) its page is a short walk from the start of the order.
      const total = query.length === 3 ? this.liveTrigramCount(query) : this.shortCounts.count(query);
      const expectedWalk = ((request.offset + request.limit) * this.aliveCount) / Math.max(1, total);
      if (expectedWalk <= WALK_LIMIT) {
        const rowids = this.walk(order, request, query, 8 * expectedWalk + 1024);
        if (rowids) return { total, rowids };
      }
    }
    const matched = this.match(query, request);
    return { total: matched, rowids: this.pageOfMatches(matched, order, request) };
  }

  /**
   * The page among the matches, without sorting them all: positions are
   * counted into buckets to find the bound under which the page's first
   * `offset + limit` lie, and only those are sorted.
   */
  private pageOfMatches(matched: number, order: Order, request: ListQuery): number[] {
    const wanted = Math.min(matched, request.offset + request.limit);
    if (wanted <= request.offset) return [];
    // Dense matches ("ssh" in a fifth of the names): the page is a shorter walk along the order than a pass over them all.
    if ((wanted * order.length) / matched < matched) return this.walkMarked(order, request, wanted);
    const last = order.length - 1;
    // Positions counted from the end the page starts at.
    const position = request.direction === 'asc' ? (slot: number) => order.rank[slot]! : (slot: number) => last - order.rank[slot]!;
    const shift = Math.max(0, Math.ceil(Math.log2(Math.max(1, order.length) / 1024)));
    const buckets = new Int32Array((order.length >> shift) + 1);
    for (let i = 0; i < matched; i++) buckets[position(this.matches[i]!) >> shift]!++;
    let bucket = 0;
    for (let seen = 0; (seen += buckets[bucket]!) < wanted; ) bucket++;
    const bound = (bucket + 1) << shift;
    const first: number[] = [];
    for (let i = 0; i < matched; i++) {
      const at = position(this.matches[i]!);
      if (at < bound) first.push(at);
    }
    const sorted = Int32Array.from(first).sort();
    const rowids: number[] = [];
    for (let i = request.offset; i < wanted; i++) {
      const at = sorted[i]!;
      rowids.push(this.slots.rowid[order.slots[request.direction === 'asc' ? at : last - at]!]!);
    }
    return rowids;
  }

  /** The page along the order among the slots `match` marked; `wanted` of them are there. */
  private walkMarked(order: Order, request: ListQuery, wanted: number): number[] {
    const { mark, epoch } = this;
    const rowids: number[] = [];
    const last = order.length - 1;
    for (let i = 0, seen = 0; seen < wanted; i++) {
      const slot = order.slots[request.direction === 'asc' ? i : last - i]!;
      if (mark[slot] !== epoch) continue;
      if (seen++ >= request.offset) rowids.push(this.slots.rowid[slot]!);
    }
    return rowids;
  }

  /** Marks every matching slot with a new epoch and lists them in `matches`; returns how many. */
  private match(query: string, request: ListFilter): number {
    if (++this.epoch === 0xffffffff) {
      this.mark.fill(0);
      this.epoch = 1;
    }
    const { alive, folded, type, manager } = this.slots;
    const types = request.types?.length ? new Set<string>(request.types) : null;
    const managerId = request.managerId || null;
    const allowed = this.allowedByScope(request);
    const { epoch, mark, matches } = this;
    let matched = 0;
    // Postings of up to three characters are exact (those of one or two are unions, so a slot may come twice); longer queries are checked against each name.
    const exact = query.length <= 3 && !query.includes(PAD);
    const filtered = Boolean(types || managerId || allowed);
    const consider = (slot: number) => {
      if (
        alive[slot] &&
        mark[slot] !== epoch &&
        (exact || folded[slot]!.includes(query)) &&
        (!types || types.has(type[slot]!)) &&
        (!managerId || manager[slot] === managerId) &&
        (!allowed || allowed[slot])
      ) {
        mark[slot] = epoch;
        matches[matched++] = slot;
      }
    };
    if (query.length >= 3 && !filtered) {
      // The common case, without the filters' checks: every match holds the rarest of the query's trigrams.
      const candidates = this.rarestTrigram(query);
      for (let i = 0, length = candidates?.length ?? 0; i < length; i++) {
        const slot = candidates!.items[i]!;
        if (alive[slot] && (exact || folded[slot]!.includes(query))) {
          mark[slot] = epoch;
          matches[matched++] = slot;
        }
      }
    } else if (query.length >= 3) {
      const candidates = this.rarestTrigram(query);
      for (let i = 0; candidates && i < candidates.length; i++) consider(candidates.items[i]!);
    } else if (query.length > 0 && !query.includes(PAD)) {
      // Wherever one or two characters occur, a (padded) trigram starts with them.
      for (const postings of this.byPrefix.get(query) ?? []) {
        for (let i = 0; i < postings.length; i++) consider(postings.items[i]!);
      }
    } else {
      for (let slot = 0; slot < folded.length; slot++) consider(slot);
    }
    return matched;
  }

  private liveTrigramCount(query: string): number {
    const postings = this.trigrams.get(trigramKey(query, 0));
    return postings ? postings.length - postings.dead : 0;
  }

  private rarestTrigram(query: string): Postings | undefined {
    let rarest: Postings | undefined;
    for (let at = 0; at + 3 <= query.length; at++) {
      const postings = this.trigrams.get(trigramKey(query, at));
      if (!postings) return undefined;
      if (!rarest || postings.length < rarest.length) rarest = postings;
    }
    return rarest;
  }

  /** One page walked along an order, of the live slots whose name contains `contains`; gives up (null) after `budget` slots. */
  private walk(order: Order, request: ListQuery, contains = '', budget = Infinity): number[] | null {
    const rowids: number[] = [];
    let skip = request.offset;
    const ascending = request.direction === 'asc';
    for (let i = 0; i < order.length && rowids.length < request.limit; i++) {
      if (i >= budget) return null;
      const slot = order.slots[ascending ? i : order.length - 1 - i]!;
      if (contains && !this.slots.folded[slot]!.includes(contains)) continue;
      if (skip > 0) skip--;
      else rowids.push(this.slots.rowid[slot]!);
    }
    return rowids;
  }

  /** The usage-scope filter as a set of slots, from SQL (scope rules live there); kept until a scope, environment or secret changes. */
  private allowedByScope(request: ListFilter): Uint8Array | null {
    const scope = scopeClause(request);
    if (!scope) return null;
    const key = `${request.applicationId ?? ''}/${request.environmentId ?? ''}`;
    if (this.scopeFilter?.key === key) return this.scopeFilter.allowed;
    const allowed = new Uint8Array(this.slots.rowid.length);
    for (const rowid of prepared(this.db, `SELECT s.rowid FROM secrets s WHERE ${scope.clause}`).pluck().all(...scope.params) as number[]) {
      const slot = this.slotOf.get(rowid);
      if (slot !== undefined) allowed[slot] = 1;
    }
    this.scopeFilter = { key, allowed };
    return allowed;
  }

  /** Applies what this connection changed since the last query; false if the index is stale and must be built again. */
  private catchUp(): boolean {
    if (this.stale || dataVersion(this.db) !== this.dataVersion) return !(this.stale = true);
    const changed = prepared(this.db, `SELECT secret_rowid FROM ${CHANGE_TABLE}`).pluck().all() as (number | null)[];
    if (changed.length === 0) return true;
    prepared(this.db, `DELETE FROM ${CHANGE_TABLE}`).run();
    this.scopeFilter = null;
    const rowids = [...new Set(changed.filter((rowid): rowid is number => rowid !== null))];
    if (rowids.length === 0) return true;
    // A bulk change is cheaper to read afresh; and renames and deletions leave dead slots behind, so once they outnumber the living, start afresh.
    if (rowids.length > this.aliveCount * REBUILD_SHARE) return !(this.stale = true);
    this.apply(rowids);
    if (this.slots.rowid.length > 2 * this.aliveCount + 1024) return !(this.stale = true);
    return true;
  }

  /** Re-reads these secrets: removes them from every order, updates their slots, and merges them back in. */
  private apply(rowids: number[]): void {
    const read = prepared(this.db, `SELECT ${COLUMNS} FROM secrets WHERE rowid = ?`);
    const touched = new Set<number>();
    for (const rowid of rowids) {
      const row = read.get(rowid) as IndexedRow | undefined;
      const slot = this.slotOf.get(rowid);
      if (slot !== undefined && this.slots.alive[slot]) {
        touched.add(slot);
        this.kill(slot);
      }
      if (!row) continue;
      if (slot !== undefined && this.slots.folded[slot] === asciiLower(row.name)) {
        // Same name: its trigrams are already posted; refresh the sort fields.
        this.slots.type[slot] = this.shared(row.type);
        this.slots.manager[slot] = this.shared(row.manager_id);
        this.slots.created[slot] = row.created_at;
        this.slots.updated[slot] = row.updated_at;
        this.revive(slot);
        touched.add(slot);
      } else {
        // A new secret or a new name: a new slot, so stale postings of the old one point at a dead slot.
        if (slot !== undefined) this.slotOf.delete(rowid);
        touched.add(this.addSlot(row));
      }
    }
    this.grow(this.slots.rowid.length);
    const marked = new Uint8Array(this.slots.rowid.length);
    for (const slot of touched) marked[slot] = 1;
    for (const sort of SORT_KEYS) this.orders.set(sort, this.merge(this.orders.get(sort)!, touched, marked, comparators[sort](this.slots)));
  }

  private addSlot(row: IndexedRow): number {
    const slot = this.slots.rowid.length;
    const folded = asciiLower(row.name);
    this.slots.rowid.push(row.rowid);
    this.slots.folded.push(folded);
    this.slots.type.push(this.shared(row.type));
    this.slots.manager.push(this.shared(row.manager_id));
    this.slots.created.push(row.created_at);
    this.slots.updated.push(row.updated_at);
    if (this.slots.alive.length <= slot) this.slots.alive = grown(this.slots.alive, slot + 1);
    this.slots.alive[slot] = 1;
    this.aliveCount++;
    this.shortCounts.add(folded, 1);
    this.slotOf.set(row.rowid, slot);
    // Padded, so a query of one or two characters is the prefix of some trigram wherever it occurs.
    const padded = `${folded}${PAD}${PAD}`;
    for (let at = 0; at + 3 <= padded.length; at++) {
      const key = trigramKey(padded, at);
      let postings = this.trigrams.get(key);
      if (!postings) {
        this.trigrams.set(key, (postings = new Postings()));
        for (const prefix of [padded[at]!, padded.slice(at, at + 2)]) {
          const siblings = this.byPrefix.get(prefix);
          if (siblings) siblings.push(postings);
          else this.byPrefix.set(prefix, [postings]);
        }
      }
      // Slots only grow, so a trigram repeated within this name has this slot last.
      if (postings.items[postings.length - 1] !== slot || postings.length === 0) postings.push(slot);
    }
    return slot;
  }

  /** One string object per distinct type or manager id, instead of one per secret as SQLite hands them out. */
  private shared(text: string): string {
    const known = this.sharedStrings.get(text);
    if (known !== undefined) return known;
    this.sharedStrings.set(text, text);
    return text;
  }

  /** A slot stops matching: its postings count it as dead until a rebuild drops them. */
  private kill(slot: number): void {
    this.slots.alive[slot] = 0;
    this.aliveCount--;
    const folded = this.slots.folded[slot]!;
    this.shortCounts.add(folded, -1);
    this.forEachTrigram(folded, (postings) => postings.dead++);
  }

  /** A slot killed by `kill` whose name did not change lives again: its postings are still there. */
  private revive(slot: number): void {
    this.slots.alive[slot] = 1;
    this.aliveCount++;
    const folded = this.slots.folded[slot]!;
    this.shortCounts.add(folded, 1);
    this.forEachTrigram(folded, (postings) => postings.dead--);
  }

  /** The postings of each distinct trigram of a padded name. */
  private forEachTrigram(folded: string, visit: (postings: Postings) => void): void {
    const padded = `${folded}${PAD}${PAD}`;
    const seen = new Set<number | string>();
    for (let at = 0; at + 3 <= padded.length; at++) {
      const key = trigramKey(padded, at);
      if (seen.has(key)) continue;
      seen.add(key);
      visit(this.trigrams.get(key)!);
    }
  }

  /** Sizes the per-slot scratch arrays for `slots` slots. */
  private grow(slots: number): void {
    if (this.mark.length < slots) this.mark = grown(this.mark, slots);
    if (this.matches.length < slots) this.matches = new Int32Array(Math.max(slots, this.matches.length * 2));
  }

  /** One pass: the order without the touched (marked) slots, merged with the live touched slots sorted alone. */
  private merge(order: Order, touched: Set<number>, marked: Uint8Array, compare: (a: number, b: number) => number): Order {
    const inserted = Int32Array.from([...touched].filter((slot) => this.slots.alive[slot])).sort(compare);
    const slots = new Int32Array(this.aliveCount);
    let next = 0;
    let i = 0;
    for (let at = 0; at < order.length; at++) {
      const slot = order.slots[at]!;
      if (marked[slot]) continue;
      while (i < inserted.length && compare(inserted[i]!, slot) < 0) slots[next++] = inserted[i++]!;
      slots[next++] = slot;
    }
    while (i < inserted.length) slots[next++] = inserted[i++]!;
    return orderOf(slots, this.slots.rowid.length);
  }
}

/**
 * How many names contain each string of one or two characters, each name
 * counted once. ASCII strings index typed arrays directly (the common case:
 * names are letters, digits, - and _); anything else goes in a map.
 */
class ShortCounts {
  private readonly ascii = new Int32Array(128 * 129);
  private readonly other = new Map<string, number>();
  /** The name last counted per key, so a string repeated in one name counts once; names are counted one at a time. */
  private readonly lastName = new Int32Array(128 * 129).fill(-1);
  private names = 0;

  add(folded: string, delta: 1 | -1): void {
    const name = this.names++;
    let seen: Set<string> | null = null;
    for (let at = 0; at < folded.length; at++) {
      for (let width = 1; width <= 2 && at + width <= folded.length; width++) {
        const a = folded.charCodeAt(at);
        const b = width === 2 ? folded.charCodeAt(at + 1) : 0;
        if ((a | b) < 128) {
          const key = width === 1 ? a : 128 + ((a << 7) | b);
          if (this.lastName[key] === name) continue;
          this.lastName[key] = name;
          this.ascii[key]! += delta;
        } else {
          const text = folded.slice(at, at + width);
          seen ??= new Set();
          if (seen.has(text)) continue;
          seen.add(text);
          this.other.set(text, (this.other.get(text) ?? 0) + delta);
        }
      }
    }
  }

  count(text: string): number {
    const a = text.charCodeAt(0);
    if (text.length === 1 && a < 128) return this.ascii[a]!;
    const b = text.charCodeAt(1);
    if (text.length === 2 && (a | b) < 128) return this.ascii[128 + ((a << 7) | b)]!;
    return this.other.get(text) ?? 0;
  }
}

function dataVersion(db: Database): number {
  return prepared(db, 'PRAGMA data_version').pluck().get() as number;
}

function emptySlots(capacity: number): Slots {
  return { rowid: [], folded: [], type: [], manager: [], created: [], updated: [], alive: new Uint8Array(capacity) };
}

function grown<T extends Uint8Array | Uint32Array>(array: T, atLeast: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(atLeast, array.length * 2));
  bigger.set(array);
  return bigger;
}

function orderOf(slots: Int32Array, slotCount: number): Order {
  const rank = new Int32Array(slotCount).fill(-1);
  for (let i = 0; i < slots.length; i++) rank[slots[i]!] = i;
  return { slots, length: slots.length, rank };
}

/** The ascending orders of secret-list-query.ts's ORDER_ASC, on slots. */
const comparators: Record<SortKey, (slots: Slots) => (a: number, b: number) => number> = {
  name: (s) => (a, b) => compareFolded(s.folded[a]!, s.folded[b]!),
  type: (s) => (a, b) => compareBinary(s.type[a]!, s.type[b]!) || compareFolded(s.folded[a]!, s.folded[b]!),
  updated: (s) => (a, b) => compareBinary(s.updated[a]!, s.updated[b]!) || s.rowid[b]! - s.rowid[a]!,
  created: (s) => (a, b) => compareBinary(s.created[a]!, s.created[b]!) || s.rowid[b]! - s.rowid[a]!,
};
