/**
 * A table of rows described as data: its columns (heading, cell, numeric or
 * monospace), its accessible name and what it says when there are no rows.
 *
 * The table sits in a scrolling box that is focusable and named (a region
 * "<label>, scrollable"), so a keyboard user can scroll a table wider or taller
 * than its place (axe scrollable-region-focusable).
 */
import { Fragment, type HTMLAttributes, type ReactNode } from 'react';

export interface DataColumn<Row> {
  /** The heading. For a column of row buttons it is read to screen readers only (see `headerHidden`). */
  header: string;
  /** Sighted users see the row buttons themselves, so the heading is visually hidden. */
  headerHidden?: boolean;
  cell: (row: Row) => ReactNode;
  /** Tabular, muted figures (the `.num` cell). */
  numeric?: boolean;
  /** Monospace text: names, hosts, fingerprints. */
  mono?: boolean;
  /** Further class names of the column's cells. */
  className?: string;
  /** The cell's title (a full value a narrow cell shortens). */
  title?: (row: Row) => string | undefined;
}

interface DataTableProps<Row> {
  /** The table's accessible name; the scrolling box is named after it. */
  label: string;
  columns: readonly DataColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string | number;
  /** Shown instead of the table when there are no rows (and none are loading). */
  emptyMessage: ReactNode;
  /** Rows are being (re)loaded: the table is marked busy and dimmed, and stays up even while empty. */
  busy?: boolean;
  /** Attributes of a row's `<tr>`: a class, `aria-current`. */
  rowProps?: (row: Row) => HTMLAttributes<HTMLTableRowElement>;
  /** Content under a row, across every column (an expanded report); nothing when it returns null. */
  rowDetail?: (row: Row) => { id: string; className?: string; content: ReactNode } | null;
  /** Further class names of the scrolling box (a maximum height). */
  className?: string;
  /** Further class names of the table. */
  tableClassName?: string;
}

function cellClass<Row>(column: DataColumn<Row>): string | undefined {
  return [column.numeric && 'num', column.mono && 'mono', column.className].filter(Boolean).join(' ') || undefined;
}

/** A named, keyboard-scrollable table of `rows`, or `emptyMessage` when there are none. */
export function DataTable<Row>({ label, columns, rows, rowKey, emptyMessage, busy, rowProps, rowDetail, className, tableClassName }: DataTableProps<Row>) {
  if (rows.length === 0 && !busy) return <p className="empty">{emptyMessage}</p>;
  return (
    <div className={className ? `table-wrap ${className}` : 'table-wrap'} tabIndex={0} role="region" aria-label={`${label}, scrollable`}>
      <table className={tableClassName ? `table ${tableClassName}` : 'table'} aria-label={label} aria-busy={busy || undefined}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.headerHidden ? <span className="visually-hidden">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const detail = rowDetail?.(row);
            return (
              <Fragment key={rowKey(row)}>
                <tr {...rowProps?.(row)}>
                  {columns.map((column) => (
                    <td key={column.header} className={cellClass(column)} title={column.title?.(row)}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
                {detail && (
                  <tr className={detail.className}>
                    <td colSpan={columns.length} id={detail.id}>
                      {detail.content}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
