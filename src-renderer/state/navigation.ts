/**
 * Which section of the main screen shows, and what the user asked it to open.
 * It lives outside the main screen, which unmounts while the store is locked,
 * so unlocking returns to where the user was.
 */
import { create } from 'zustand';
import type { SecretType } from '../../src-shared/contract.js';

export type Section = 'secrets' | 'applications' | 'managers' | 'migration' | 'audit' | 'settings';

export const sections: { id: Section; label: string }[] = [
  { id: 'secrets', label: 'Secrets' },
  { id: 'applications', label: 'Applications' },
  { id: 'managers', label: 'Managers' },
  { id: 'migration', label: 'Migration' },
  { id: 'audit', label: 'Audit' },
  { id: 'settings', label: 'Settings' },
];

/**
 * Something a view opens on request from outside it (a shortcut or the
 * command palette): the view that owns the dialog takes it once it shows.
 */
export type Intent =
  | { kind: 'new-secret'; type: SecretType }
  | { kind: 'new-reference' }
  | { kind: 'test-credential'; secretId: string }
  | { kind: 'add-manager' }
  | { kind: 'export-backup' }
  | { kind: 'edit-scopes' }
  | { kind: 'import' };

export type IntentKind = Intent['kind'];

export const intentSections: Record<IntentKind, Section> = {
  'new-secret': 'secrets',
  'new-reference': 'secrets',
  'test-credential': 'secrets',
  'add-manager': 'managers',
  'export-backup': 'settings',
  'edit-scopes': 'secrets',
  import: 'settings',
};

export const useNavigation = create<{ section: Section; intent: Intent | null }>()(() => ({ section: 'secrets', intent: null }));

export function goTo(section: Section): void {
  useNavigation.setState({ section });
}

/** Shows the section that owns what the intent opens, and leaves the intent for it. */
export function request(intent: Intent): void {
  useNavigation.setState({ section: intentSections[intent.kind], intent });
}

/** Takes the pending intent if it is of this kind (and passes `accept`); null otherwise. */
export function takeIntent<K extends IntentKind>(kind: K, accept: (intent: Extract<Intent, { kind: K }>) => boolean = () => true): Extract<Intent, { kind: K }> | null {
  const { intent } = useNavigation.getState();
  if (intent?.kind !== kind) return null;
  const mine = intent as Extract<Intent, { kind: K }>;
  if (!accept(mine)) return null;
  useNavigation.setState({ intent: null });
  return mine;
}
