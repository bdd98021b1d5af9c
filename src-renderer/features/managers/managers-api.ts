/**
 * Manager actions against main. Configurations (secret fields included) are
 * sealed to the delegate before they leave this window, bound to the
 * manager's name (`sealBindings.managerConfig(name)`), or to '' for the
 * partial configuration that fetchOptions reads. After every change the
 * catalog (managers and applications) is reloaded.
 */
import { sealBindings, sealValues, type ChannelResult, type ManagerOptions, type ManagerSummary, type PendingRemoteWrite, type ProviderTestResult } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { getApi } from '../../api/connection.js';
import { reloadCatalog } from '../../state/catalog.js';
import { delegateKey } from '../../state/session.js';
import type { ExternalKind } from './manager-fields.js';

function sealConfig(name: string, config: Record<string, unknown>) {
  return delegateKey().then((key) => sealValues(key, sealBindings.managerConfig(name), [JSON.stringify(config)]));
}

async function changing<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    void reloadCatalog().catch(() => {});
  }
}

/** Main runs the read-only connection test first and stores nothing when it fails, unless `skipTest`. */
export function addManager(request: { name: string; kind: ExternalKind; config: Record<string, unknown>; readOnly: boolean; skipTest?: boolean }): Promise<ManagerSummary> {
  return changing(async () =>
    call('managers.add', {
      name: request.name,
      kind: request.kind,
      readOnly: request.readOnly,
      skipTest: request.skipTest ?? false,
      sealedConfig: await sealConfig(request.name, request.config),
    }),
  );
}

/**
 * Renames, toggles read-only and/or replaces the configuration. The sealed
 * configuration is bound to the name after this update.
 */
export function updateManager(
  manager: Pick<ManagerSummary, 'id' | 'name'>,
  changes: { name?: string; readOnly?: boolean; config?: Record<string, unknown> },
): Promise<ManagerSummary> {
  return changing(async () => {
    const nameAfter = changes.name ?? manager.name;
    return call('managers.update', {
      id: manager.id,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.readOnly !== undefined ? { readOnly: changes.readOnly } : {}),
      ...(changes.config ? { sealedConfig: await sealConfig(nameAfter, changes.config) } : {}),
    });
  });
}

export const removeManager = (id: string): Promise<void> => changing(async () => void (await call('managers.remove', { id })));

/** Writes into this store that a failed or interrupted batch left unconfirmed (`strongroom manager orphans M`). */
export const pendingWrites = async (managerId: string): Promise<PendingRemoteWrite[]> => (await call('managers.pendingWrites', { managerId })).items;

/** Drops one from the journal once the admin checked the store at its name; nothing is deleted remotely. */
export const forgetPendingWrite = (id: number): Promise<PendingRemoteWrite> => call('managers.forgetPendingWrite', { id });

export const setDefaultManager = (id: string): Promise<ManagerSummary> => changing(() => call('managers.setDefault', { id }));

/** Runs the read-only test; the result is also stored as the manager's health, so the catalog reloads. */
export const testManager = (id: string): Promise<{ result: ProviderTestResult; manager: ManagerSummary }> => changing(() => call('managers.test', { id }));

export type RewrapReport = ChannelResult<'managers.rewrap'>;

/** Re-wraps every key of a KMS manager under its key's current version; health (the key versions in use) changes, so the catalog reloads. */
export const rewrapManager = (id: string): Promise<RewrapReport> => changing(() => call('managers.rewrap', { id }));

/** Calls `listener` with each step of a re-wrap of this manager, whoever started it. */
export async function followRewrapProgress(managerId: string, listener: (done: number, total: number) => void): Promise<() => void> {
  const api = await getApi();
  return api.onEvent((event) => {
    if (event.type === 'managers.rewrapProgress' && event.managerId === managerId) listener(event.done, event.total);
  });
}

export async function fetchManagerOptions(kind: ExternalKind, partialConfig: Record<string, unknown>): Promise<ManagerOptions> {
  return call('managers.fetchOptions', { kind, sealedConfig: await sealConfig('', partialConfig) });
}

/** Reloads the catalog whenever main says the managers changed (another window, the CLI). */
export async function followManagerChanges(): Promise<() => void> {
  const api = await getApi();
  return api.onEvent((event) => {
    if (event.type === 'managers.changed') void reloadCatalog().catch(() => {});
  });
}
