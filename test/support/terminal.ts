/**
 * Runs a command on a real pseudo-terminal: `script` opens one, starts the
 * command in it and copies what it writes to its own stdout.
 */

const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * The arguments for `script` that run `argv` on a terminal. `script` hands the command to `$SHELL -c`;
 * `exec` makes the command the shell itself, so Ctrl+C reaches only the command and its exit status is
 * script's. Without it dash (Debian's /bin/sh, what script uses when SHELL is unset, as under CI) stays
 * as the parent, dies of the SIGINT itself and reports 130 whatever the command did.
 * `follow` flushes output as it is written, for a test that reacts to it.
 */
export function scriptArgs(argv: string[], options: { follow?: boolean } = {}): string[] {
  return [options.follow ? '-qfec' : '-qec', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'];
}
