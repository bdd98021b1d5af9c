import type { MigrationRun } from '../../../src-shared/contract.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import { formatWhen, plural, runStateLabel, runTitle } from './migration-labels.js';

interface RunHistoryProps {
  runs: MigrationRun[];
  watchedRunId: string | null;
  managerName: (id: string) => string;
  onOpen: (runId: string) => void;
}

/** Every run main keeps, newest first; opening one shows its progress or report above. */
export function RunHistory({ runs, watchedRunId, managerName, onOpen }: RunHistoryProps) {
  const columns: DataColumn<MigrationRun>[] = [
    { header: 'Started', cell: (run) => formatWhen(run.createdAt) },
    { header: 'From → to', cell: (run) => runTitle(run, managerName) },
    { header: 'State', cell: runStateLabel },
    { header: 'Moved', className: 'migration-num', cell: (run) => `${run.done.toLocaleString('en')} of ${plural(run.total, 'secret')}` },
    { header: 'Failed', className: 'migration-num', cell: (run) => run.failed.toLocaleString('en') },
    {
      header: 'Open',
      headerHidden: true,
      cell: (run) => (
        <button
          type="button"
          className="btn btn--small"
          onClick={() => onOpen(run.id)}
          aria-label={`Open the migration ${runTitle(run, managerName)} of ${formatWhen(run.createdAt)}`}
        >
          Open
        </button>
      ),
    },
  ];
  return (
    <DataTable
      label="Past migrations"
      columns={columns}
      rows={runs}
      rowKey={(run) => run.id}
      emptyMessage="No migrations yet."
      rowProps={(run) => ({ 'aria-current': run.id === watchedRunId ? 'true' : undefined })}
    />
  );
}
