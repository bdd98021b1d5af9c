/**
 * What the palette lists for what the user typed: fuzzy matches (fuse.js)
 * over the commands and recent secrets, then secrets main found by name.
 * Pure, so ranking and grouping are tested without a DOM.
 */
import Fuse from 'fuse.js';
import type { SecretSummary } from '../../../src-shared/contract.js';
import { secretCommand, type Command } from './commands.js';

export interface ListingGroup {
  label: string;
  commands: Command[];
}

/** Which list the palette shows: every command, or the credentials a connection test accepts. */
export type PaletteMode = 'commands' | 'credentials';

/** Fuzzy-ranks commands by label first, then keywords and hint; an empty query keeps the given order. */
export function rankCommands(commands: Command[], query: string): Command[] {
  const q = query.trim();
  if (!q) return commands;
  const fuse = new Fuse(commands, {
    keys: [
      { name: 'label', weight: 3 },
      { name: 'keywords', weight: 1 },
      { name: 'hint', weight: 0.5 },
    ],
    threshold: 0.4,
    ignoreLocation: true,
  });
  return fuse.search(q).map((result) => result.item);
}

interface ListingInput {
  mode: PaletteMode;
  query: string;
  staticCommands: Command[];
  /** Opened lately, the latest first. */
  recent: SecretSummary[];
  /** Secrets main found for the query (credentials only in that mode). */
  found: SecretSummary[];
}

export function paletteListing({ mode, query, staticCommands, recent, found }: ListingInput): ListingGroup[] {
  if (mode === 'credentials') return [{ label: 'Credentials', commands: found.map((secret) => secretCommand(secret, 'Credentials')) }];
  const recentCommands = recent.map((secret) => secretCommand(secret, 'Recent secrets'));
  const groups: ListingGroup[] = [];
  if (!query.trim()) {
    groups.push({ label: 'Recent secrets', commands: recentCommands });
    for (const label of ['Create', 'Go to', 'Actions'] as const) groups.push({ label, commands: staticCommands.filter((c) => c.group === label) });
  } else {
    const matches = rankCommands([...recentCommands, ...staticCommands], query);
    groups.push({ label: 'Best matches', commands: matches });
    const shown = new Set(matches.flatMap((c) => (c.effect.type === 'open-secret' ? [c.effect.secret.id] : [])));
    groups.push({ label: 'Secrets', commands: found.filter((secret) => !shown.has(secret.id)).map((secret) => secretCommand(secret, 'Secrets')) });
  }
  return groups.filter((group) => group.commands.length > 0);
}

/** The commands in the order the arrow keys walk them. */
export function flatten(groups: ListingGroup[]): Command[] {
  return groups.flatMap((group) => group.commands);
}
