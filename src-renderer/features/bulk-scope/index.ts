/** Bulk usage-scope edits from the secrets list: mount <BulkScopeDialog /> with the ticked secrets or the list's filters. */
export { BulkScopeDialog } from './BulkScopeDialog.js';
export { listedSecrets, type BulkTarget } from './bulk-scope-api.js';
