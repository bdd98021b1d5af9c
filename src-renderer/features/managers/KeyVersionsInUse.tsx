import { managerKindSpec, type KeyVersionUse, type ManagerSummary } from '../../../src-shared/contract.js';
import './key-rotation.css';

const stateText = (use: KeyVersionUse): string => (use.current === true ? 'Current' : use.current === false ? 'Old: re-wrapping moves its keys to the current one' : 'Unknown until a test or re-wrap');

/**
 * For a KMS manager whose key rotates (`rewrapsKeys`): every key version wrapped keys still need and how many
 * secrets each holds, so an admin knows which ones must not be destroyed. Nothing for other kinds.
 */
export function KeyVersionsInUse({ manager, versions }: { manager: Pick<ManagerSummary, 'name' | 'kind'>; versions: KeyVersionUse[] }) {
  const noun = managerKindSpec(manager.kind)?.rewrapsKeys?.versionNoun;
  if (!noun) return null;
  const title = `${noun.charAt(0).toUpperCase()}${noun.slice(1)}s in use`;
  return (
    <section className="key-versions" aria-label={title}>
      <h3 className="key-versions__title">{title}</h3>
      {versions.length === 0 ? (
        <p className="field__hint">No {noun} is in use yet: no secret is kept under {manager.name}.</p>
      ) : (
        <>
          <p className="key-versions__warning">
            Each {noun} listed here still decrypts secrets: it must not be destroyed or disabled while any secret is counted under it.
          </p>
          {/* Fixed layout: a long ARN wraps inside its cell instead of making the dialog scroll sideways. */}
          <table className="table key-versions__table">
            <thead>
              <tr>
                <th scope="col">{noun.charAt(0).toUpperCase() + noun.slice(1)}</th>
                <th scope="col">Secrets</th>
                <th scope="col">Wrapped keys</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((use) => (
                <tr key={use.keyVersion}>
                  <td className="mono key-versions__name">{use.keyVersion}</td>
                  <td>{use.secrets.toLocaleString('en')}</td>
                  <td>{use.intermediateKeys.toLocaleString('en')}</td>
                  <td>{stateText(use)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
