/**
 * One ssh2 connection driven step by step, so each step is its own report
 * stage: the handshake (host key checked against the store), a `none` auth
 * attempt that makes the server list its methods (RFC 4252 §5.2), one real
 * attempt, and a probe command. ssh2 is event-driven; this turns its events
 * into awaited steps, each with its own deadline.
 */
import type { Socket } from 'node:net';
import type { AnyAuthMethod, NextAuthHandler, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
import { ssh2 } from '../../ssh2-package.js';
import { ConnectionFailure } from '../report.js';
import { judgeHostKey, preferredHostKeyAlgorithms, seenHostKeyOf, type HostKeyStatus, type KnownHostKey, type SeenHostKey } from './known-hosts.js';

const MAX_PROBE_OUTPUT_CHARS = 4096;

export interface Ssh2SessionOptions {
  /** For messages only: the connection is already open. */
  host: string;
  port: number;
  username: string;
  knownKeys: KnownHostKey[];
  acceptNewHostKey: boolean;
  timeoutMs: number;
}

export type AuthAttempt =
  | { type: 'password'; password: string }
  /** For servers that take passwords only through PAM's prompts: answers a single hidden prompt, and nothing else. */
  | { type: 'keyboard-interactive'; password: string }
  | { type: 'publickey'; key: ParsedKey };

/** What the server said to an auth attempt; `unansweredPrompts` lists keyboard-interactive prompts that asked for more than a password. */
export type AuthAnswer = { accepted: true } | { accepted: false; methods: string[]; partialSuccess: boolean; unansweredPrompts: string[] };

type SessionEvent = { kind: 'auth-turn'; methods: string[] | null; partialSuccess: boolean; next: NextAuthHandler } | { kind: 'ready' };

export interface ProbeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class Ssh2Session {
  hostKey: SeenHostKey | null = null;
  hostKeyStatus: HostKeyStatus | null = null;
  private readonly client = new (ssh2().Client)();
  private readonly events: SessionEvent[] = [];
  private waiter: { resolve: (event: SessionEvent) => void; reject: (error: ConnectionFailure) => void } | null = null;
  private failure: ConnectionFailure | null = null;
  private hostKeyFailure: ConnectionFailure | null = null;
  private failureListeners: ((error: ConnectionFailure) => void)[] = [];
  private next: NextAuthHandler | null = null;
  private unansweredPrompts: string[] = [];
  private handshakeDone = false;
  private closing = false;

  constructor(
    socket: Socket,
    private readonly options: Ssh2SessionOptions,
  ) {
    this.client.on('ready', () => this.push({ kind: 'ready' }));
    this.client.on('error', (error: Error & { level?: string }) => this.fail(this.translate(error)));
    this.client.on('close', () => {
      if (!this.closing) this.fail(this.closedFailure());
    });
    this.client.connect({
      sock: socket,
      username: options.username,
      // Our own deadlines cover every step; ssh2's would end the wait for a slow (PAM-delayed) password.
      readyTimeout: 0,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(options.knownKeys) as ServerHostKeyAlgorithm[] },
      hostVerifier: (blob: Buffer) => this.verifyHostKey(blob),
      authHandler: (methods, partialSuccess, next) => {
        this.push({ kind: 'auth-turn', methods: methods as string[] | null, partialSuccess: partialSuccess ?? false, next });
      },
    });
  }

  /** Resolves once keys are exchanged and the host key is trusted: that is when ssh2 first asks how to authenticate. */
  async handshake(): Promise<void> {
    const event = await this.nextEvent('handshake');
    if (event.kind !== 'auth-turn') throw new ConnectionFailure('INTERNAL', 'The server accepted the session before any authentication.');
    this.handshakeDone = true;
    this.next = event.next;
  }

  /** Offers `none`; a server that needs authentication (all do) rejects it and lists what it accepts. */
  async offeredMethods(): Promise<AuthAnswer> {
    return this.attempt({ type: 'none', username: this.options.username }, 'auth');
  }

  async authenticate(attempt: AuthAttempt): Promise<AuthAnswer> {
    const { username } = this.options;
    switch (attempt.type) {
      case 'password':
        return this.attempt({ type: 'password', username, password: attempt.password }, 'auth');
      case 'publickey':
        return this.attempt({ type: 'publickey', username, key: attempt.key }, 'auth');
      case 'keyboard-interactive':
        return this.attempt(
          {
            type: 'keyboard-interactive',
            username,
            prompt: (_name, _instructions, _lang, prompts, finish) => {
              if (prompts.length === 1 && !prompts[0]!.echo) return finish([attempt.password]);
              // A second factor or a visible question is not the password's to answer.
              this.unansweredPrompts.push(...prompts.map((entry) => entry.prompt.trim()));
              finish(prompts.map(() => ''));
            },
          },
          'auth',
        );
    }
  }

  /** Runs a command without a terminal and collects its output. */
  exec(command: string): Promise<ProbeResult> {
    const run = new Promise<ProbeResult>((resolve, reject) => {
      this.client.exec(command, (error, stream) => {
        if (error) return reject(new ConnectionFailure('PROBE_FAILED', `The server refused to run \`${command}\`: ${error.message}`));
        let stdout = '';
        let stderr = '';
        stream.on('data', (chunk: Buffer) => {
          if (stdout.length < MAX_PROBE_OUTPUT_CHARS) stdout += chunk.toString();
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < MAX_PROBE_OUTPUT_CHARS) stderr += chunk.toString();
        });
        stream.on('close', (code: number | null) => resolve({ code, stdout: stdout.slice(0, MAX_PROBE_OUTPUT_CHARS), stderr: stderr.slice(0, MAX_PROBE_OUTPUT_CHARS) }));
      });
    });
    return this.deadline(run, 'probe');
  }

  close(): void {
    this.closing = true;
    this.client.end();
    this.client.destroy();
  }

  private async attempt(method: AnyAuthMethod, stage: string): Promise<AuthAnswer> {
    const next = this.next;
    if (!next) throw new ConnectionFailure('INTERNAL', 'Authentication attempted out of turn.');
    this.next = null;
    next(method);
    const event = await this.nextEvent(stage);
    if (event.kind === 'ready') return { accepted: true };
    this.next = event.next;
    const unansweredPrompts = this.unansweredPrompts.splice(0);
    return { accepted: false, methods: event.methods ?? [], partialSuccess: event.partialSuccess, unansweredPrompts };
  }

  private verifyHostKey(blob: Buffer): boolean {
    const seen = seenHostKeyOf(blob);
    const status = judgeHostKey(seen, this.options.knownKeys);
    this.hostKey = seen;
    this.hostKeyStatus = status;
    const { host, port } = this.options;
    if (status === 'known' || (status === 'new' && this.options.acceptNewHostKey)) return true;
    this.hostKeyFailure =
      status === 'new'
        ? new ConnectionFailure(
            'HOST_KEY_UNKNOWN',
            `${host}:${port} presented the ${seen.keyType} key ${seen.fingerprint}, which is not a known key for this host. Check it and accept it to continue.`,
            { keyType: seen.keyType, fingerprint: seen.fingerprint },
          )
        : new ConnectionFailure(
            'HOST_KEY_CHANGED',
            `The host key of ${host}:${port} has changed: it presented the ${seen.keyType} key ${seen.fingerprint}, but the known keys are ${this.options.knownKeys
              .map((key) => `${key.keyType} ${key.fingerprint}`)
              .join(', ')}. Someone may be intercepting the connection; the test stopped before authenticating.`,
            {
              keyType: seen.keyType,
              fingerprint: seen.fingerprint,
              knownKeyTypes: this.options.knownKeys.map((key) => key.keyType),
              knownFingerprints: this.options.knownKeys.map((key) => key.fingerprint),
            },
          );
    return false;
  }

  private translate(error: Error & { level?: string }): ConnectionFailure {
    if (this.hostKeyFailure) return this.hostKeyFailure;
    if (error.level === 'client-socket') return this.closedFailure(error.message);
    // ssh2 reports a server that hangs up before its banner as a protocol error, though nothing SSH was said.
    if (!this.handshakeDone && error.message === 'Connection lost before handshake') return this.closedFailure();
    return new ConnectionFailure('INTERNAL', `SSH protocol error: ${error.message}`);
  }

  private closedFailure(reason?: string): ConnectionFailure {
    const suffix = reason ? ` (${reason})` : '';
    return this.handshakeDone
      ? new ConnectionFailure('INTERNAL', `The server closed the connection${suffix}.`)
      : new ConnectionFailure('REFUSED', `The server closed the connection before the SSH handshake finished${suffix}; it may not be an SSH server, or it limits connections.`);
  }

  private push(event: SessionEvent): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve(event);
    } else {
      this.events.push(event);
    }
  }

  private fail(error: ConnectionFailure): void {
    if (this.failure) return;
    this.failure = error;
    this.waiter?.reject(error);
    this.waiter = null;
    for (const listener of this.failureListeners.splice(0)) listener(error);
  }

  private nextEvent(stage: string): Promise<SessionEvent> {
    const queued = this.events.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return this.deadline(new Promise<SessionEvent>((resolve, reject) => (this.waiter = { resolve, reject })), stage);
  }

  /** Settles with the step, the connection's failure, or a timeout, whichever comes first. */
  private deadline<T>(step: Promise<T>, stage: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const timer = setTimeout(() => {
        const error = new ConnectionFailure('TIMEOUT', `No answer from the server within ${this.options.timeoutMs} ms (${stage}).`);
        this.fail(error);
        reject(error);
      }, this.options.timeoutMs);
      const onFailure = (error: ConnectionFailure) => {
        clearTimeout(timer);
        reject(error);
      };
      this.failureListeners.push(onFailure);
      step.then(
        (value) => {
          clearTimeout(timer);
          this.failureListeners = this.failureListeners.filter((listener) => listener !== onFailure);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
