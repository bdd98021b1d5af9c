import type { SavedSearch } from '../../../src-shared/contract.js';
import { SavedSearchNameForm } from './SavedSearchNameForm.js';
import { renameSearch } from './saved-searches-state.js';

interface RenameSavedSearchFormProps {
  search: SavedSearch;
  /** Called once renamed, or on Cancel and Esc. */
  onClose: () => void;
}

/** A saved search's name edited in place of its entry: Enter renames (the same name just closes), Esc cancels, a name another search has is refused and said so. */
export function RenameSavedSearchForm({ search, onClose }: RenameSavedSearchFormProps) {
  return (
    <SavedSearchNameForm
      title={`Rename saved search ${search.name}`}
      label={`New name for ${search.name}`}
      initialName={search.name}
      submitLabel="Rename"
      className="saved-searches__rename"
      onSubmit={async (name) => {
        if (name !== search.name) await renameSearch(search.id, name);
        onClose();
      }}
      onCancel={onClose}
    />
  );
}
