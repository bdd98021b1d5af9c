/**
 * Everything the command palette offers, as data: one command per secret
 * type (from the types' own descriptions), one per section, and the actions
 * that open a dialog somewhere else. Pure, so the list is tested without a DOM.
 */
import { kindLabels, secretTypeDescriptions, secretTypes, type SecretSummary } from '../../../src-shared/contract.js';
import { secretSummaryLine, secretTypeLabels } from '../../lib/secret-types.js';
import { sections, type Intent, type Section } from '../../state/navigation.js';

export type CommandGroup = 'Recent secrets' | 'Secrets' | 'Credentials' | 'Create' | 'Go to' | 'Actions';

/** What choosing a command does; the palette carries it out. */
export type CommandEffect =
  | { type: 'intent'; intent: Intent }
  | { type: 'go'; section: Section }
  | { type: 'open-secret'; secret: SecretSummary }
  | { type: 'test-secret'; secret: SecretSummary }
  | { type: 'lock' }
  | { type: 'focus-search' }
  /** Keeps the palette open and lists the credentials a connection test accepts. */
  | { type: 'pick-credential' };

export interface Command {
  /** Unique within one listing; also the option's element id suffix. */
  id: string;
  group: CommandGroup;
  label: string;
  /** A second line: what the command does, or which secret it is. */
  hint?: string;
  /** Other words that should find it. */
  keywords?: string[];
  /** The shortcut that does the same, shown beside it. */
  shortcut?: string;
  effect: CommandEffect;
}

/** "Ctrl" everywhere but macOS, where the same shortcuts use Cmd. */
export function modifierLabel(platform: string): string {
  return /mac/i.test(platform) ? 'Cmd' : 'Ctrl';
}

/** The fixed commands: create, go to, actions. */
export function staticCommands(modifier: string): Command[] {
  const create: Command[] = secretTypes.map((type) => ({
    id: `new-${type}`,
    group: 'Create',
    label: `New secret: ${secretTypeDescriptions[type].label}`,
    hint: secretTypeDescriptions[type].hint,
    keywords: ['new', 'create', 'add', type, secretTypeDescriptions[type].badge],
    ...(type === 'text' ? { shortcut: `${modifier}+N` } : {}),
    effect: { type: 'intent', intent: { kind: 'new-secret', type } },
  }));
  create.push({
    id: 'new-reference',
    group: 'Create',
    label: 'New reference to a remote secret…',
    hint: `Point at a secret already kept in ${kindLabels((spec) => spec.role === 'secret-store')}`,
    keywords: ['reference', 'link', 'vault', 'azure', 'aws'],
    effect: { type: 'intent', intent: { kind: 'new-reference' } },
  });
  const goTo: Command[] = sections.map(({ id, label }) => ({
    id: `go-${id}`,
    group: 'Go to',
    label: `Go to ${label}`,
    keywords: ['view', 'open', 'show', label],
    effect: { type: 'go', section: id },
  }));
  const actions: Command[] = [
    { id: 'lock', group: 'Actions', label: 'Lock now', hint: 'Lock the store; unlocking needs the master passphrase', shortcut: `${modifier}+L`, effect: { type: 'lock' } },
    { id: 'search', group: 'Actions', label: 'Search secrets', shortcut: '/', keywords: ['find', 'filter'], effect: { type: 'focus-search' } },
    {
      id: 'test-credential',
      group: 'Actions',
      label: 'Test a credential…',
      hint: 'Run a connection test with an SSH, Kerberos or WinRM credential',
      keywords: ['connection', 'ssh', 'winrm', 'kerberos', 'check'],
      effect: { type: 'pick-credential' },
    },
    {
      id: 'start-migration',
      group: 'Actions',
      label: 'Start a migration…',
      hint: 'Move secrets from one manager to another, previewed before anything is written',
      keywords: ['migrate', 'move', 'copy', 'manager'],
      effect: { type: 'go', section: 'migration' },
    },
    { id: 'add-manager', group: 'Actions', label: 'Add manager…', hint: kindLabels((spec) => spec.role !== 'local'), keywords: ['secret manager', 'new', 'kms'], effect: { type: 'intent', intent: { kind: 'add-manager' } } },
    { id: 'export-backup', group: 'Actions', label: 'Export backup…', hint: 'The whole store in one encrypted file', keywords: ['backup', 'save', 'download'], effect: { type: 'intent', intent: { kind: 'export-backup' } } },
    {
      id: 'edit-scopes',
      group: 'Actions',
      label: 'Edit scopes of the listed secrets…',
      hint: 'Add, remove or set a usage scope entry on the selected secrets, or on every secret the list shows',
      keywords: ['scope', 'bulk', 'application', 'environment', 'many'],
      effect: { type: 'intent', intent: { kind: 'edit-scopes' } },
    },
    { id: 'import', group: 'Actions', label: 'Import .env/CSV…', hint: 'Text secrets from a .env or CSV file', keywords: ['import', 'dotenv', 'csv', 'upload'], effect: { type: 'intent', intent: { kind: 'import' } } },
  ];
  return [...create, ...goTo, ...actions];
}

/** A secret as a palette entry: opening it, or testing it in the credential picker. */
export function secretCommand(secret: SecretSummary, group: 'Recent secrets' | 'Secrets' | 'Credentials'): Command {
  const line = secretSummaryLine(secret);
  return {
    id: `${group === 'Credentials' ? 'test' : group === 'Secrets' ? 'secret' : 'recent'}-${secret.id}`,
    group,
    label: secret.name,
    hint: [secretTypeLabels[secret.type], line].filter(Boolean).join(' · '),
    keywords: [secret.description ?? ''],
    effect: group === 'Credentials' ? { type: 'test-secret', secret } : { type: 'open-secret', secret },
  };
}
