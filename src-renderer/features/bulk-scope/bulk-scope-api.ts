/** The bulk scope edit: one change to the scopes of every secret the list's filters match, in batches main writes. */
import type { ScopeEdit, ScopeManyReport } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { listRequest, type ListFilters } from '../../lib/secret-list.js';
import { refreshList } from '../../state/secrets.js';

export async function editScopes(filters: ListFilters, edit: Partial<ScopeEdit>, operationId: string): Promise<ScopeManyReport> {
  const { query, types, managerId, applicationId, environmentId } = listRequest(filters);
  try {
    return await call('secrets.scopeMany', { operationId, filter: { query, types, managerId, applicationId, environmentId }, edit });
  } finally {
    refreshList();
  }
}
