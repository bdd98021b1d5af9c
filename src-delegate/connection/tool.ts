/**
 * Runs the system tools the SSH tests lean on (ssh, ssh-keygen, kinit, kvno,
 * klist) with a clean environment, secrets on stdin only, a deadline, and
 * bounded output: a hostile server must not fill the delegate's memory.
 */
import { spawn } from 'node:child_process';
import { toolProviding } from '../../src-shared/optional-tools.js';
import { missingTool } from './optional-tools-probe.js';

const MAX_OUTPUT_CHARS = 64 * 1024;

export interface ToolRun {
  /** The exit status, or null when the deadline killed the tool. */
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ToolOptions {
  env: Record<string, string>;
  /** Secrets go here, never into `args` or `env`. */
  stdin?: string;
  timeoutMs: number;
  /** Sees each stderr line as it arrives, e.g. to time when ssh has authenticated. */
  onStderrLine?: (line: string) => void;
}

/**
 * The whole environment a tool gets: nothing inherited but PATH, so no
 * agent socket, ticket cache or config from the user's session leaks in. C
 * locale and UTC make the messages and dates it prints parseable.
 */
export function toolEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LC_ALL: 'C', TZ: 'UTC', ...extra };
}

export function runTool(command: string, args: string[], options: ToolOptions): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    // A session of its own has no controlling terminal, so no tool can open /dev/tty and prompt
    // the user of a CLI session; passphrase readers fall back to stdin.
    const child = spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let partialLine = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += text;
      if (!options.onStderrLine) return;
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) options.onStderrLine(line.replace(/\r$/, ''));
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A tool that is not installed is a typed failure naming its package, not an internal error.
      const provider = error.code === 'ENOENT' ? toolProviding(command) : null;
      reject(provider ? missingTool(provider) : error);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status: timedOut ? null : status, stdout: stdout.slice(0, MAX_OUTPUT_CHARS), stderr: stderr.slice(0, MAX_OUTPUT_CHARS), timedOut });
    });
    // A tool that exits before reading its stdin must not crash the delegate with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
