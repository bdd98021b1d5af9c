/**
 * Runs the CLI in this process, as `strongroom ARGS` would, and collects its
 * exit code and output: for tests of what the CLI declares, parses and prints
 * (help, usage errors) without spawning the built CLI.
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
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runCli(args, { stdin: Readable.from([options.stdin ?? '']), stdout, stderr }, options.core);
  return { code, stdout: out, stderr: err };
}
