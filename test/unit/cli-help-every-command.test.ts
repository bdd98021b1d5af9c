/**
 * `--help` prints help and exits 0 for every command and command group,
 * whatever arguments and options the command itself needs (`secret reveal
 * --help` used to exit 2 for want of a name). The commands are walked from
 * their own declarations, so a command added later is checked too.
 */
import { describe, expect, it } from 'vitest';
import { commandGroups, commands, commandsInGroup } from '../../src-main/cli/commands/index.js';
import { globalOptions } from '../../src-main/cli/command.js';
import { runCliInProcess } from '../support/cli-in-process.js';

const noStore = ['--data-dir', '/nonexistent/strongroom-help-every-command'];

describe('--help', () => {
  it('finds commands and groups to walk', () => {
    expect(commands.length).toBeGreaterThan(40);
    expect(commandGroups()).toEqual(expect.arrayContaining(['secret', 'manager', 'known-hosts', 'test']));
    expect(commandGroups()).not.toContain('migrate');
  });

  it.each(commands.map((command) => [command.words, command] as const))('"%s --help" exits 0 and lists its options', async (words, command) => {
    const { code, stdout, stderr } = await runCliInProcess([...noStore, ...words.split(' '), '--help']);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`Usage: strongroom ${words}`);
    for (const name of Object.keys({ ...command.options, ...globalOptions })) expect(stdout).toContain(`--${name}`);
  });

  it.each(commandGroups())('"%s --help" exits 0 and lists the group\'s commands only', async (group) => {
    const { code, stdout, stderr } = await runCliInProcess([...noStore, ...group.split(' '), '-h']);
    expect(code, stderr).toBe(0);
    for (const command of commandsInGroup(group)) expect(stdout).toContain(`  ${command.words}`);
    const outside = commands.find((command) => !command.words.startsWith(`${group} `))!;
    expect(stdout).not.toContain(`  ${outside.words} `);
  });

  it('still refuses a command run without its arguments', async () => {
    const { code, stderr } = await runCliInProcess([...noStore, 'secret', 'reveal']);
    expect(code).toBe(2);
    expect(stderr).toContain('"secret reveal" needs a name.');
  });
});
