/** The bulk scope edit: one change to the scopes of the ticked secrets, or of every secret the list's filters match, in batches main writes. */
import type { ScopeEdit, ScopeManyReport } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { listRequest, type ListFilters } from '../../lib/secret-list.js';
import { refreshList } from '../../state/secrets.js';

/** What the edit covers: the secrets ticked in the list, or all it lists. */
export type BulkTarget = { kind: 'picked'; ids: string[] } | { kind: 'listed'; filters: ListFilters };

export async function editScopes(target: BulkTarget, edit: Partial<ScopeEdit>, operationId: string): Promise<ScopeManyReport> {
  try {
    if (target.kind === 'picked') return await call('secrets.scopeMany', { operationId, ids: target.ids, edit });
    const { query, types, managerId, applicationId, environmentId } = listRequest(target.filters);
    return await call('secrets.scopeMany', { operationId, filter: { query, types, managerId, applicationId, environmentId }, edit });
  } finally {
    refreshList();
  }
}

/** Every secret the filters list, id and name, a page at a time: what "Select all listed" ticks. */
export async function listedSecrets(filters: ListFilters): Promise<{ id: string; name: string }[]> {
  const found: { id: string; name: string }[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await call('secrets.list', { ...listRequest(filters), limit: 500, offset });
    found.push(...page.items.map(({ id, name }) => ({ id, name })));
    if (page.items.length === 0 || found.length >= page.total) return found;
  }
}
