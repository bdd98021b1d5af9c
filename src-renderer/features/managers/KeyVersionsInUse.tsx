import { managerKindSpec, type KeyVersionUse, type ManagerSummary } from '../../../src-shared/contract.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import './key-rotation.css';

const stateText = (use: KeyVersionUse): string => (use.current === true ? 'Current' : use.current === false ? 'Old: re-wrapping moves its keys to the current one' : 'Unknown until a test or re-wrap');

/**
 * For a KMS manager whose key rotates (`rewrapsKeys`): every key version wrapped keys still need and how many
 * secrets each holds, so an admin knows which ones must not be destroyed. Nothing for other kinds.
 */
export function KeyVersionsInUse({ manager, versions }: { manager: Pick<ManagerSummary, 'name' | 'kind'>; versions: KeyVersionUse[] }) {
  const noun = managerKindSpec(manager.kind)?.rewrapsKeys?.versionNoun;
  if (!noun) return null;
  const heading = `${noun.charAt(0).toUpperCase()}${noun.slice(1)}`;
  const title = `${heading}s in use`;
  const columns: DataColumn<KeyVersionUse>[] = [
    { header: heading, mono: true, className: 'key-versions__name', cell: (use) => use.keyVersion },
    { header: 'Secrets', cell: (use) => use.secrets.toLocaleString('en') },
    { header: 'Wrapped keys', cell: (use) => use.intermediateKeys.toLocaleString('en') },
    { header: 'State', cell: stateText },
  ];
  return (
    <section className="key-versions" aria-label={title}>
      <h3 className="key-versions__title">{title}</h3>
      {versions.length > 0 && (
        <p className="key-versions__warning">
          Each {noun} listed here still decrypts secrets: it must not be destroyed or disabled while any secret is counted under it.
        </p>
      )}
      {/* Fixed layout: a long ARN wraps inside its cell instead of making the dialog scroll sideways. */}
      <DataTable
        label={title}
        columns={columns}
        rows={versions}
        rowKey={(use) => use.keyVersion}
        emptyMessage={`No ${noun} is in use yet: no secret is kept under ${manager.name}.`}
        tableClassName="key-versions__table"
      />
    </section>
  );
}
