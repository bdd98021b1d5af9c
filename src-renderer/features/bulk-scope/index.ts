/** Bulk usage-scope edits from the secrets list: mount <BulkScopeDialog /> with the list's filters. */
export { BulkScopeDialog } from './BulkScopeDialog.js';
