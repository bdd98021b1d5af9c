/**
 * A running delegate process, as the supervisor sees it. Under Node it is a
 * `child_process.fork` child (node-delegate-channel.ts); under Electron the
 * shell supplies a `utilityProcess` one. Messages are plain JSON values.
 */
export interface DelegateChannel {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has gone, whatever the reason. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface DelegateLaunch {
  /** Absolute path of the built delegate entry (dist/delegate/main.js). */
  entry: string;
  /** The complete environment of the child: already scrubbed by the supervisor. */
  env: Record<string, string>;
  /** Arguments for the delegate: its log folder. */
  args: string[];
  /**
   * Node options for the child (the benchmark's inspector); unset, it inherits main's as `fork` does. Only
   * main's own code builds a launch: nothing from a renderer, a request or a configuration reaches it.
   */
  execArgv?: string[];
}

export type DelegateSpawner = (launch: DelegateLaunch) => DelegateChannel;

/** Environment variables the delegate may inherit; everything else (NODE_OPTIONS, proxies, tokens, ELECTRON_*) is dropped. */
const ENV_ALLOWLIST = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'HOME', 'SystemRoot', 'TEMP', 'TMP'];

export function scrubbedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENV_ALLOWLIST) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** How every delegate is launched: in one place, so one forked ahead of the core (forkDelegateEarly) starts exactly as the supervisor would start it. */
export function delegateLaunch(entry: string, logDir: string): DelegateLaunch {
  return { entry, env: scrubbedEnv(process.env), args: ['--log-dir', logDir] };
}
