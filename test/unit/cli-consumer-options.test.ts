/**
 * `--app`/`--env` are declared once (src-main/cli/consumer-options.ts) and
 * spread into every command that uses a secret on a consumer's behalf: their
 * help comes from that one declaration, and one function reads them.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/cli-app.js';
import { UsageError } from '../../src-main/cli/cli-errors.js';
import { consumerFromOptions, consumerOptions } from '../../src-main/cli/consumer-options.js';

async function help(words: string[]): Promise<string> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runCli(['--data-dir', '/nonexistent/strongroom-consumer-options', ...words, '--help'], { stdin: new PassThrough(), stdout, stderr });
  expect(code, err).toBe(0);
  return out;
}

describe('the consumer options', () => {
  // `secret reveal` takes its name even with --help.
  it.each([['secret', 'reveal', 'db'], ['test', 'ssh'], ['test', 'winrm']])('are in %s %s’s help from their one declaration', async (...words) => {
    const text = await help(words);
    for (const [flag, option] of Object.entries(consumerOptions)) expect(text).toMatch(new RegExp(`--${flag} ${option.value}\\s+${option.help.replace(/[()]/g, '\\$&')}`));
  });

  it('name a consumer only together', () => {
    expect(consumerFromOptions({})).toBeUndefined();
    expect(consumerFromOptions({ app: 'billing', env: 'live' })).toEqual({ application: 'billing', environment: 'live' });
    expect(() => consumerFromOptions({ app: 'billing' })).toThrow(UsageError);
    expect(() => consumerFromOptions({ env: 'live' })).toThrow('--app and --env go together.');
  });
});
