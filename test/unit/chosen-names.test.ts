import { describe, expect, it } from 'vitest';
import { chosenMatching, toggleName, withNames, withoutNames } from '../../src-renderer/features/migration/chosen-names.js';

describe('the chosen secrets of a migration', () => {
  it('toggles one name, never twice', () => {
    expect(toggleName(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(toggleName(['a', 'b'], 'b', true)).toEqual(['a', 'b']);
    expect(toggleName(['a', 'b'], 'a', false)).toEqual(['b']);
    expect(toggleName(['a'], 'z', false)).toEqual(['a']);
  });

  it('adds every match of a search once, keeping what was chosen by other searches first', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
    const chosen = withNames(['keep', 's5'], many);
    expect(chosen).toHaveLength(10_001);
    expect(chosen.slice(0, 3)).toEqual(['keep', 's5', 's0']);
    expect(new Set(chosen).size).toBe(chosen.length);
  });

  it('removes only the matches of a search', () => {
    expect(withoutNames(['keep', 's1', 's2', 'other'], ['s1', 's2', 's3'])).toEqual(['keep', 'other']);
  });
});

describe('the chosen secrets shown for review', () => {
  it('lists every chosen name in name order, or those containing the search in any case', () => {
    const chosen = ['db_prod', 'API_key', 'db_test', 'cache'];
    expect(chosenMatching(chosen, '')).toEqual(['API_key', 'cache', 'db_prod', 'db_test']);
    expect(chosenMatching(chosen, '  DB_ ')).toEqual(['db_prod', 'db_test']);
    expect(chosenMatching(chosen, 'key')).toEqual(['API_key']);
    expect(chosenMatching(chosen, 'nothing')).toEqual([]);
    expect(chosen).toEqual(['db_prod', 'API_key', 'db_test', 'cache']);
  });
});
