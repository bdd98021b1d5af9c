/**
 * Each manager's migration request rate (`migration.rates`): its kind's
 * published quota and the stored setting that replaces it; read when the view
 * opens, shared by the setup's rate field and the per-manager settings.
 */
import { create } from 'zustand';
import type { MigrationRate } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';

export const useMigrationRates = create<{ items: MigrationRate[] }>()(() => ({ items: [] }));

export async function loadRates(): Promise<void> {
  useMigrationRates.setState({ items: (await call('migration.rates', {})).items });
}

export async function storeRate(managerId: string, ratePerSecond: number | null): Promise<void> {
  useMigrationRates.setState({ items: (await call('migration.setRate', { managerId, ratePerSecond })).items });
}

/** The rate a run uses for a manager when the run sets none, in words. */
export function rateText(rate: MigrationRate): string {
  if (rate.ratePerSecond !== null) return `${rate.ratePerSecond.toLocaleString('en')} requests/s (set here)`;
  if (rate.published === null) return 'no limit until the provider throttles (no published quota)';
  const { readsPerSecond, writesPerSecond } = rate.published;
  return readsPerSecond === writesPerSecond
    ? `${readsPerSecond.toLocaleString('en')} requests/s (published quota)`
    : `${readsPerSecond.toLocaleString('en')} reads/s, ${writesPerSecond.toLocaleString('en')} writes/s (published quota)`;
}
