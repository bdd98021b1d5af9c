// The secrets list's ticks for a bulk edit: toggling, Shift ranges from the anchor, select all.
import { describe, expect, it } from 'vitest';
import { emptySelection, extendTo, selectAll, toggle } from '../../src-renderer/lib/secret-selection.js';

const rows = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ id: `id-${name}`, name }));
const rowAt = (index: number) => rows[index];
const names = (selection: { picked: ReadonlyMap<string, string> }) => [...selection.picked.values()].sort();

describe('secret selection', () => {
  it('toggles one row and makes it the anchor', () => {
    const one = toggle(emptySelection, 1, rows[1]!);
    expect(names(one)).toEqual(['b']);
    expect(one.anchor).toBe(1);
    expect(names(toggle(one, 1, rows[1]!))).toEqual([]);
    // The value is not changed in place.
    expect(emptySelection.picked.size).toBe(0);
  });

  it('ticks the range from the anchor either way, keeping what was ticked', () => {
    const start = toggle(toggle(emptySelection, 0, rows[0]!), 3, rows[3]!);
    expect(names(extendTo(start, 1, rowAt))).toEqual(['a', 'b', 'c', 'd']);
    expect(names(extendTo(toggle(emptySelection, 1, rows[1]!), 4, rowAt))).toEqual(['b', 'c', 'd', 'e']);
  });

  it('skips rows not loaded yet, and toggles the one row when there is no anchor', () => {
    const sparse = (index: number) => (index === 2 ? undefined : rows[index]);
    expect(names(extendTo(toggle(emptySelection, 0, rows[0]!), 4, sparse))).toEqual(['a', 'b', 'd', 'e']);
    expect(names(extendTo(emptySelection, 2, rowAt))).toEqual(['c']);
  });

  it('selects every listed secret', () => {
    expect(names(selectAll(rows))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
