import type { Clock } from './clock.js';
import type { AppEvent, Channel, IpcResult } from '../../src-shared/contract.js';
import type { DelegateSpawner } from './delegate/delegate-channel.js';

/** Who is driving the core: recorded as the actor of every audit entry. */
export type Actor = 'desktop' | 'bridge' | 'cli';

export interface AppCoreOptions {
  /** The folder holding strongroom.db and logs/. Created if missing. */
  dataDir: string;
  actor: Actor;
  /** How to start the delegate; defaults to child_process.fork under Node. */
  spawnDelegate?: DelegateSpawner;
  /** Absolute path of the built delegate entry; defaults to dist/delegate/main.js. */
  delegateEntry?: string;
  /** Per-request timeout for delegate calls, in ms (default 30 s). */
  delegateTimeoutMs?: number;
  /** Observes every message main sends to or receives from the delegate (security tests). */
  onDelegateTraffic?: (direction: 'to-delegate' | 'from-delegate', message: unknown) => void;
  /**
   * Resumes an interrupted master key rotation or KMS re-wrap after each unlock (key-work-resume.ts). Default: every
   * actor but the CLI, whose commands end when their own work does; the session agent, a CLI that stays, sets it.
   */
  resumeKeyWork?: boolean;
  /**
   * Keeps an in-memory index of names while unlocked, for searching as one types (secret-list-search.ts). Default:
   * every actor but the CLI, whose command ends before the index would answer once; the session agent sets it.
   */
  searchIndex?: boolean;
  /** The time the unlock delay and the idle lock read; tests pass a clock they move by hand. */
  clock?: Clock;
}

/** The Electron-free main process: store, services, IPC router and delegate supervisor. */
export interface AppCore {
  /** Routes one renderer request: validates it against the contract, never throws. */
  handle(channel: string, request: unknown): Promise<IpcResult<Channel>>;
  /** The same, on behalf of another client (a CLI served by the session socket): audited as `actor`. */
  handleAs(actor: string, channel: string, request: unknown): Promise<IpcResult<Channel>>;
  onEvent(listener: (event: AppEvent) => void): () => void;
  close(): Promise<void>;
  /** The running delegate's pid, for diagnostics (and for tests that kill it). */
  readonly delegatePid: number | undefined;
}
