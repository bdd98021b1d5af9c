/**
 * Answers list requests from the in-memory search index when it is current,
 * and from SQL (the same answers, slower) while it is being built, so
 * building never holds main up: the build runs in slices of at most about
 * half a frame, one per turn of the event loop, and every request in between
 * is answered. An index that goes stale (another process committed, a bulk
 * change) is dropped and built again the same way.
 */
import type { Database } from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { listBySql, type ListQuery } from './secret-list-query.js';
import { SecretSearchIndex } from './secret-search-index.js';

/** Building work per turn of the event loop: half a frame, so a keystroke waits at most that long for it. */
const SLICE_MS = 8;

export interface ListAnswer {
  total: number;
  rowids: number[];
  /** True while the index is being built: this answer came from SQL. */
  indexing: boolean;
}

export class SecretListSearch {
  private index: SecretSearchIndex | null = null;
  private build: Generator<void, SecretSearchIndex> | null = null;
  private closed = false;

  /**
   * `schedule` runs the next slice of a build later (tests step through
   * builds with their own); `onError` hears of a build that failed (the next
   * request starts another, and SQL answers meanwhile).
   */
  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
    private readonly schedule: (slice: () => void) => void = setImmediate,
    private readonly sliceMs = SLICE_MS,
    /** Hears that a build finished: answers come from the index again (the renderer's "Indexing" status ends). */
    private readonly onReady: () => void = () => undefined,
  ) {
    this.startBuild();
  }

  page(request: ListQuery): ListAnswer {
    const fromIndex = this.index?.page(request);
    if (fromIndex) return { ...fromIndex, indexing: false };
    this.index = null;
    this.startBuild();
    return { ...listBySql(this.db, request), indexing: true };
  }

  /** Stops a build under way and drops the index (at lock: names stay out of memory while the store is locked). */
  close(): void {
    this.closed = true;
    this.index = null;
    this.build?.return(undefined as never);
    this.build = null;
  }

  private startBuild(): void {
    if (this.build || this.closed) return;
    this.build = SecretSearchIndex.building(this.db);
    this.schedule(() => this.runSlice());
  }

  private runSlice(): void {
    const build = this.build;
    if (!build) return;
    const until = performance.now() + this.sliceMs;
    try {
      do {
        const step = build.next();
        if (step.done) {
          this.build = null;
          this.index = step.value;
          this.onReady();
          return;
        }
      } while (performance.now() < until);
    } catch (error) {
      this.build = null;
      this.onError(error);
      return;
    }
    this.schedule(() => this.runSlice());
  }
}
