import type { MigrationRun } from '../../../src-shared/contract.js';
import { TableHead } from '../../components/TableHead.js';
import { formatWhen, plural, runStateLabel, runTitle } from './migration-labels.js';

interface RunHistoryProps {
  runs: MigrationRun[];
  watchedRunId: string | null;
  managerName: (id: string) => string;
  onOpen: (runId: string) => void;
}

/** Every run main keeps, newest first; opening one shows its progress or report above. */
export function RunHistory({ runs, watchedRunId, managerName, onOpen }: RunHistoryProps) {
  if (runs.length === 0) return <p className="field__hint">No migrations yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Past migrations">
        <TableHead columns={['Started', 'From → to', 'State', 'Moved', 'Failed']} actionsLabel="Open" />
        <tbody>
          {runs.map((run) => {
            const title = runTitle(run, managerName);
            return (
              <tr key={run.id} aria-current={run.id === watchedRunId ? 'true' : undefined}>
                <td>{formatWhen(run.createdAt)}</td>
                <td>{title}</td>
                <td>{runStateLabel(run)}</td>
                <td className="migration-num">{`${run.done.toLocaleString('en')} of ${plural(run.total, 'secret')}`}</td>
                <td className="migration-num">{run.failed.toLocaleString('en')}</td>
                <td>
                  <button type="button" className="btn btn--small" onClick={() => onOpen(run.id)} aria-label={`Open the migration ${title} of ${formatWhen(run.createdAt)}`}>
                    Open
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
