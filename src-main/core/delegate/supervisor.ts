/**
 * Starts the delegate, pairs requests with replies, and restarts it when it
 * dies. A restarted delegate holds no keys and has a new sealing key, so the
 * supervisor tells its owner, which treats the store as locked.
 *
 * Every reply is size-checked and parsed with the schema of the operation it
 * answers before anyone sees it.
 */
import {
  MAX_DELEGATE_MESSAGE_CHARS,
  delegateEventSchema,
  delegateReadySchema,
  delegateReplySchema,
  delegateResultSchemas as resultSchemas,
  type DelegateErrorCode,
  type DelegateEvent,
  type DelegateOp,
  type DelegateRequestInput,
  type DelegateResult,
} from '../../../src-shared/delegate-protocol.js';
import { DelegateOperationError } from '../../../src-shared/delegate-error.js';
import { delegateLaunch, type DelegateChannel, type DelegateSpawner } from './delegate-channel.js';
import type { Logger } from '../logging/logger.js';

export type SupervisorErrorCode = DelegateErrorCode | 'DELEGATE_UNAVAILABLE' | 'DELEGATE_TIMEOUT';

/** A failed delegate call as main sees it: the delegate's own failures, and the two main adds when the delegate is gone or late. */
export class DelegateCallError extends DelegateOperationError<SupervisorErrorCode> {}

export interface SupervisorOptions {
  spawn: DelegateSpawner;
  entry: string;
  logDir: string;
  logger: Logger;
  timeoutMs: number;
  onTraffic?: (direction: 'to-delegate' | 'from-delegate', message: unknown) => void;
  /** Called after the delegate was restarted: its keys and sealing key are gone. */
  onRestart: () => void;
  /** Progress the delegate reports while a request runs (a connection test's stages). */
  onEvent?: (event: DelegateEvent) => void;
}

interface Pending {
  op: DelegateOp;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const RESTART_BACKOFF_MS = [100, 500, 1000, 2000, 5000, 10_000];
/** Starting is not a request: a slow machine may take seconds to load the delegate. */
const START_TIMEOUT_MS = 20_000;
/** A delegate that stayed up this long resets the backoff. */
const STABLE_AFTER_MS = 60_000;

export class DelegateSupervisor {
  private channel: DelegateChannel | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts = 0;
  private startedAt = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private publicKeyValue: string | null = null;

  constructor(private readonly options: SupervisorOptions) {}

  /** The delegate's sealing public key, once it has said hello. */
  get publicKey(): string | null {
    return this.publicKeyValue;
  }

  get pid(): number | undefined {
    return this.channel?.pid;
  }

  start(): Promise<void> {
    this.ready ??= this.launch();
    return this.ready;
  }

  private launch(): Promise<void> {
    const { options } = this;
    const channel = options.spawn(delegateLaunch(options.entry, options.logDir));
    this.channel = channel;
    this.startedAt = Date.now();
    this.publicKeyValue = null;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DelegateCallError('DELEGATE_UNAVAILABLE', 'The delegate did not start in time.')), START_TIMEOUT_MS);
      channel.onMessage((raw) => {
        if (typeof raw !== 'string' || raw.length > MAX_DELEGATE_MESSAGE_CHARS) {
          options.logger.log('warn', 'dropped an invalid message from the delegate');
          return;
        }
        let message: unknown;
        try {
          message = JSON.parse(raw);
        } catch {
          options.logger.log('warn', 'dropped a message from the delegate that is not JSON');
          return;
        }
        options.onTraffic?.('from-delegate', message);
        if (delegateReadySchema.safeParse(message).success) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const event = delegateEventSchema.safeParse(message);
        if (event.success) {
          options.onEvent?.(event.data);
          return;
        }
        this.receive(message);
      });
      channel.onExit((code) => {
        clearTimeout(timer);
        reject(new DelegateCallError('DELEGATE_UNAVAILABLE', `The delegate exited during start (code ${code}).`));
        this.handleExit(channel, code);
      });
    });
    return ready.then(async () => {
      const hello = await this.call({ op: 'hello' }, START_TIMEOUT_MS);
      this.publicKeyValue = hello.publicKey;
      options.logger.log('info', 'delegate ready', { pid: channel.pid, suite: hello.suite });
    });
  }

  /** Forgets the current process and fails what it was still working on. */
  private detach(why: (op: DelegateOp) => string): void {
    this.channel = null;
    this.ready = null;
    this.publicKeyValue = null;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new DelegateCallError('DELEGATE_UNAVAILABLE', why(pending.op)));
      this.pending.delete(id);
    }
  }

  private handleExit(channel: DelegateChannel, code: number | null): void {
    if (this.channel !== channel) return;
    this.detach((op) => `The delegate stopped during ${op}; nothing was changed. Try again.`);
    if (this.stopped) return;
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.restarts = 0;
    const delay = RESTART_BACKOFF_MS[Math.min(this.restarts, RESTART_BACKOFF_MS.length - 1)]!;
    this.restarts += 1;
    this.options.logger.log('warn', 'delegate exited; restarting', { code, delayMs: delay, restarts: this.restarts });
    // The keys died with the process: main counts the store locked now. A request may start the next process
    // (and even unlock it) before the timer fires; the timer then leaves that process and its state alone.
    this.options.onRestart();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopped || this.ready) return;
      this.start().catch((error: unknown) => this.options.logger.log('error', 'delegate restart failed', { error: String(error) }));
    }, delay);
  }

  private receive(message: unknown): void {
    const parsed = delegateReplySchema.safeParse(message);
    if (!parsed.success) {
      this.options.logger.log('warn', 'dropped a malformed reply from the delegate');
      return;
    }
    const reply = parsed.data;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (!reply.ok) {
      pending.reject(new DelegateCallError(reply.error.code, reply.error.message, reply.error.issues, reply.error.provider, reply.error.orphans));
      return;
    }
    const result = resultSchemas[pending.op].safeParse(reply.result);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new DelegateCallError('INTERNAL', `The delegate's reply to ${pending.op} did not match the protocol.`));
  }

  /** Sends one request and waits for its validated result. Starts the delegate first if it is not running. */
  async request<Op extends DelegateOp>(request: Extract<DelegateRequestInput, { op: Op }>, timeoutMs = this.options.timeoutMs): Promise<DelegateResult<Op>> {
    if (this.stopped) throw new DelegateCallError('DELEGATE_UNAVAILABLE', 'The delegate has been stopped.');
    await this.start();
    return this.call(request, timeoutMs);
  }

  private call<Op extends DelegateOp>(request: Extract<DelegateRequestInput, { op: Op }>, timeoutMs = this.options.timeoutMs): Promise<DelegateResult<Op>> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new DelegateCallError('DELEGATE_UNAVAILABLE', 'The delegate is restarting. Try again in a moment.'));
    const id = this.nextId++;
    const envelope = { id, request };
    const text = JSON.stringify(envelope);
    if (text.length > MAX_DELEGATE_MESSAGE_CHARS) {
      return Promise.reject(new DelegateCallError('BAD_REQUEST', 'The request is too large for the delegate.'));
    }
    return new Promise<DelegateResult<Op>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DelegateCallError('DELEGATE_TIMEOUT', `The delegate did not answer ${request.op} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { op: request.op, resolve: resolve as (value: unknown) => void, reject, timer });
      this.options.onTraffic?.('to-delegate', envelope);
      channel.send(text);
    });
  }

  /**
   * Ends the delegate process now, without backoff and without reporting a
   * crash: the process and every byte it held are gone when this resolves
   * (on lock, and after an unlock main gave up on). Requests in flight fail
   * with DELEGATE_UNAVAILABLE; the next request, or `start()`, starts a
   * fresh process with a new sealing key.
   */
  async discard(reason: string): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    this.detach((op) => `The delegate was stopped (${reason}) during ${op}; nothing was changed.`);
    await killAndWait(channel);
    this.options.logger.log('info', 'delegate discarded', { reason, pid: channel.pid });
  }

  /** Whether a delegate process is running (or starting). */
  get running(): boolean {
    return this.channel !== null;
  }

  /** Kills the delegate (tests use it to prove restarts work). */
  kill(): void {
    this.channel?.kill();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const channel = this.channel;
    if (!channel) return;
    await killAndWait(channel);
  }
}

/** Bounded: a process that is already gone never reports its exit again. */
function killAndWait(channel: DelegateChannel): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    channel.onExit(() => resolve());
    setTimeout(resolve, 2000).unref();
  });
  channel.kill();
  return exited;
}
