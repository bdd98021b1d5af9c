/** Applications, environments and secret managers: loading them, changing them, and a manager's scope. */
import type { EnvironmentType, ScopeRemovalReport, UsageScope } from '../../src-shared/contract.js';
import { call } from '../api/call.js';
import { refreshList } from './secrets.js';
import { useCatalog } from './stores.js';

let catalogSeq = 0;

export async function reloadCatalog(): Promise<void> {
  const seq = ++catalogSeq;
  const [apps, managers] = await Promise.all([call('apps.list', {}), call('managers.list', {})]);
  if (seq === catalogSeq) useCatalog.setState({ apps: apps.items, managers: managers.items, loaded: true });
}

/** Runs a change, then reloads what it may have changed. */
async function changing<T>(change: () => Promise<T>, secretsToo = false): Promise<T> {
  try {
    return await change();
  } finally {
    void reloadCatalog().catch(() => {});
    if (secretsToo) refreshList();
  }
}

export const createApplication = (name: string) => changing(() => call('apps.create', { name }));
export const renameApplication = (id: string, name: string) => changing(() => call('apps.rename', { id, name }));
export const deleteApplication = (id: string): Promise<ScopeRemovalReport> => changing(() => call('apps.delete', { id }), true);
export const createEnvironment = (applicationId: string, name: string, type: EnvironmentType) =>
  changing(() => call('envs.create', { applicationId, name, type }));
export const updateEnvironment = (id: string, changes: { name?: string; type?: EnvironmentType }) =>
  changing(() => call('envs.update', { id, ...changes }), true);
export const deleteEnvironment = (id: string): Promise<ScopeRemovalReport> => changing(() => call('envs.delete', { id }), true);

/** Throws SCOPE_CONFLICT (with the secrets' names) unless `narrowSecrets`. */
export const setManagerScope = (id: string, scope: UsageScope, narrowSecrets: boolean) =>
  changing(() => call('managers.setScope', { id, scope, narrowSecrets }), true);
