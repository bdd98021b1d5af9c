/**
 * Which section of the main screen shows. It lives outside the main screen,
 * which unmounts while the store is locked, so unlocking returns to where the
 * user was.
 */
import { create } from 'zustand';

export type Section = 'secrets' | 'applications' | 'managers' | 'audit' | 'settings';

export const sections: { id: Section; label: string }[] = [
  { id: 'secrets', label: 'Secrets' },
  { id: 'applications', label: 'Applications' },
  { id: 'managers', label: 'Managers' },
  { id: 'audit', label: 'Audit' },
  { id: 'settings', label: 'Settings' },
];

export const useNavigation = create<{ section: Section }>()(() => ({ section: 'secrets' }));

export function goTo(section: Section): void {
  useNavigation.setState({ section });
}
