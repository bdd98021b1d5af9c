/** Every command, in the order the help lists them. */
import type { CommandSpec } from '../command.js';
import { sessionCommands } from './session.js';
import { storeCommands } from './store.js';
import { auditCommands } from './audit.js';
import { secretCommands } from './secret.js';
import { managerCommands } from './manager.js';
import { appCommands } from './app.js';
import { connectionTestCommands } from './connection-test.js';
import { knownHostsCommands } from './known-hosts.js';
import { migrateCommands } from './migrate.js';
import { searchCommands } from './search.js';
import { keyringCommands } from './keyring.js';

export const commands: readonly CommandSpec[] = [
  ...storeCommands,
  ...sessionCommands,
  ...auditCommands,
  ...secretCommands,
  ...managerCommands,
  ...migrateCommands,
  ...searchCommands,
  ...keyringCommands,
  ...appCommands,
  ...connectionTestCommands,
  ...knownHostsCommands,
];

/**
 * The command groups a user can ask help for: every leading run of words
 * that several commands share and that is not itself a command
 * (`secret`, `known-hosts`, but not `migrate`, which runs).
 */
export function commandGroups(): string[] {
  const words = new Set(commands.map((command) => command.words));
  const prefixes = commands.flatMap((command) => {
    const parts = command.words.split(' ');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join(' '));
  });
  return [...new Set(prefixes)].filter((prefix) => !words.has(prefix));
}

/** The commands under a group's words (`secret` → `secret create`, `secret list`, …). */
export function commandsInGroup(group: string): CommandSpec[] {
  return commands.filter((command) => command.words.startsWith(`${group} `));
}
