// The command palette's listing: one command per secret type and section,
// fuzzy ranking, recent secrets first, and secrets main found by name.
import { describe, expect, it } from 'vitest';
import { secretTypeDescriptions, secretTypes, type SecretSummary } from '../../src-shared/contract.js';
import { modifierLabel, staticCommands } from '../../src-renderer/features/palette/commands.js';
import { flatten, paletteListing, rankCommands } from '../../src-renderer/features/palette/palette-listing.js';
import { sections } from '../../src-renderer/state/navigation.js';

function secret(name: string, type: SecretSummary['type'] = 'text'): SecretSummary {
  return { id: `id-${name}`, name, type, description: null, metadata: {}, facts: {} } as unknown as SecretSummary;
}

const statics = staticCommands('Ctrl');

describe('command palette listing', () => {
  it('offers a new secret of every type, from the types’ descriptions, and every section', () => {
    const labels = statics.map((c) => c.label);
    for (const type of secretTypes) expect(labels).toContain(`New secret: ${secretTypeDescriptions[type].label}`);
    for (const { label } of sections) expect(labels).toContain(`Go to ${label}`);
    expect(new Set(statics.map((c) => c.id)).size).toBe(statics.length);
  });

  it('uses Cmd on macOS and Ctrl elsewhere', () => {
    expect(modifierLabel('MacIntel')).toBe('Cmd');
    expect(modifierLabel('Linux x86_64')).toBe('Ctrl');
    expect(staticCommands('Cmd').find((c) => c.id === 'lock')?.shortcut).toBe('Cmd+L');
  });

  it('ranks fuzzy matches, typos included, and keeps the order when nothing is typed', () => {
    expect(rankCommands(statics, 'winrm')[0]?.label).toBe('New secret: WinRM credential');
    expect(rankCommands(statics, 'exprt bakup')[0]?.label).toBe('Export backup…');
    expect(rankCommands(statics, '')).toEqual(statics);
  });

  it('lists recent secrets first, then the commands by group; with a query, matches then secrets main found', () => {
    const recent = [secret('alpha'), secret('beta')];
    const empty = paletteListing({ mode: 'commands', query: '', staticCommands: statics, recent, found: [] });
    expect(empty.map((g) => g.label)).toEqual(['Recent secrets', 'Create', 'Go to', 'Actions']);
    expect(flatten(empty).slice(0, 2).map((c) => c.label)).toEqual(['alpha', 'beta']);

    const typed = paletteListing({ mode: 'commands', query: 'alpha', staticCommands: statics, recent, found: [secret('alpha'), secret('alphabet')] });
    expect(typed.map((g) => g.label)).toEqual(['Best matches', 'Secrets']);
    // A recent secret already matched is not listed twice.
    expect(typed[1]!.commands.map((c) => c.label)).toEqual(['alphabet']);
  });

  it('lists only what main found in the credential picker, each running a connection test', () => {
    const groups = paletteListing({ mode: 'credentials', query: '', staticCommands: statics, recent: [secret('alpha')], found: [secret('web', 'ssh')] });
    expect(flatten(groups).map((c) => [c.label, c.effect.type])).toEqual([['web', 'test-secret']]);
  });
});
