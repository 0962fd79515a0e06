import type { ComponentChildren } from 'preact';

export interface Column<Row> {
  title: string;
  cell: (row: Row) => ComponentChildren;
  /** Numbers are right-aligned. */
  numeric?: boolean;
}

/** A captioned table in a scrollable, focusable region (narrow screens scroll it sideways, keyboards too). */
export function Table<Row>({ caption, columns, rows, total, onRow, empty = 'No requests in this window.' }: { caption: string; columns: Array<Column<Row>>; rows: Row[]; total?: Row; onRow?: (row: Row) => void; empty?: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" class={column.numeric ? 'num' : undefined}>
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr class={onRow ? 'clickable' : undefined} onClick={onRow ? () => onRow(row) : undefined} onKeyDown={onRow ? (event) => event.key === 'Enter' && onRow(row) : undefined} tabIndex={onRow ? 0 : undefined}>
                {columns.map((column) => (
                  <td class={column.numeric ? 'num' : undefined}>{column.cell(row)}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
        {total && (
          <tfoot>
            <tr>
              {columns.map((column) => (
                <td class={column.numeric ? 'num' : undefined}>{column.cell(total)}</td>
              ))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
