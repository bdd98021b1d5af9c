// The shared table: its columns come from data, its scrolling box is a named
// tab stop (axe scrollable-region-focusable), a column of row buttons has a
// heading for screen readers only, and with no rows it says so instead.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable, type DataColumn } from '../../src-renderer/components/DataTable.js';

interface Host {
  name: string;
  port: number;
}

const columns: DataColumn<Host>[] = [
  { header: 'Host', mono: true, cell: (host) => host.name },
  { header: 'Port', numeric: true, cell: (host) => host.port },
  { header: 'Actions', headerHidden: true, className: 'row-actions', cell: (host) => createElement('button', { type: 'button' }, `Remove ${host.name}`) },
];

const render = (props: Partial<Parameters<typeof DataTable<Host>>[0]> & { rows: Host[] }) =>
  renderToStaticMarkup(createElement(DataTable<Host>, { label: 'Known hosts', columns, rowKey: (host) => host.name, emptyMessage: 'No hosts yet.', ...props }));

describe('DataTable', () => {
  it('draws a named table in a focusable, named scrolling box, one cell per column', () => {
    const html = render({ rows: [{ name: 'db1', port: 22 }], className: 'table-wrap--scroll' });
    expect(html).toContain('<div class="table-wrap table-wrap--scroll" tabindex="0" role="region" aria-label="Known hosts, scrollable">');
    expect(html).toContain('<table class="table" aria-label="Known hosts">');
    expect(html).toContain('<th scope="col">Host</th><th scope="col">Port</th><th scope="col"><span class="visually-hidden">Actions</span></th>');
    expect(html).toContain('<td class="mono">db1</td><td class="num">22</td><td class="row-actions"><button type="button">Remove db1</button></td>');
  });

  it('says it has no rows instead of drawing an empty table, unless rows are loading', () => {
    expect(render({ rows: [] })).toBe('<p class="empty">No hosts yet.</p>');
    const loading = render({ rows: [], busy: true });
    expect(loading).toContain('aria-busy="true"');
    expect(loading).not.toContain('No hosts yet.');
  });

  it('puts a row detail under its row, across every column', () => {
    const html = render({
      rows: [
        { name: 'db1', port: 22 },
        { name: 'db2', port: 2222 },
      ],
      rowProps: (host) => ({ className: host.port === 22 ? undefined : 'is-bad' }),
      rowDetail: (host) => (host.name === 'db2' ? { id: 'detail-db2', className: 'report', content: 'key changed' } : null),
    });
    expect(html).toContain('<tr class="is-bad"><td class="mono">db2</td>');
    expect(html).toMatch(/db2<\/button><\/td><\/tr><tr class="report"><td colSpan="3" id="detail-db2">key changed<\/td><\/tr><\/tbody>/i);
    expect(html.match(/<tr/g)).toHaveLength(4);
  });
});
