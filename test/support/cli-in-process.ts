/**
 * Runs the CLI in this process, as `strongroom ARGS` would, and collects its
 * exit code and output: for tests of what the CLI declares, parses and prints
 * (help, usage errors), or against a real store and delegate with
 * `core.delegateEntry`, without spawning the built CLI.
 */
import { PassThrough, Readable } from 'node:stream';
import type { CliCoreOptions } from '../../src-main/cli/cli-app.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliInProcess(args: string[], options: { stdin?: string; core?: CliCoreOptions } = {}): Promise<CliRun> {
  // Loaded on call, so a test can change the descriptions the CLI derives from before it first loads.
  const { runCli } = await import('../../src-main/cli/cli-app.js');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  // Bytes first, decoded once: a character split across two chunks stays whole.
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await runCli(args, { stdin: Readable.from([options.stdin ?? '']), stdout, stderr }, options.core);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
