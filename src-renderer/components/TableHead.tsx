interface TableHeadProps {
  columns: readonly string[];
  /** Names a last column of row buttons for screen readers; sighted users see the buttons themselves. */
  actionsLabel?: string;
}

/** The column headings of a data table. */
export function TableHead({ columns, actionsLabel }: TableHeadProps) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
        {actionsLabel && (
          <th scope="col">
            <span className="visually-hidden">{actionsLabel}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
