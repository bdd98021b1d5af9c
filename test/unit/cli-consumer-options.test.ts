/**
 * `--app`/`--env` are declared once (src-main/cli/consumer-options.ts) and
 * spread into every command that uses a secret on a consumer's behalf: their
 * help comes from that one declaration, and one function reads them.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src-main/cli/cli-errors.js';
import { consumerFromOptions, consumerOptions } from '../../src-main/cli/consumer-options.js';
import { runCliInProcess } from '../support/cli-in-process.js';

async function help(words: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCliInProcess(['--data-dir', '/nonexistent/strongroom-consumer-options', ...words, '--help']);
  expect(code, stderr).toBe(0);
  return stdout;
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
