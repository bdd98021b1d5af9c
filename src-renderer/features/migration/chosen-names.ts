/**
 * The chosen secrets of a migration, by name, as pure functions: the set is
 * the draft's list of names, kept whatever the search shows, so choosing by
 * one search and then another adds up, and choosing every match of a search
 * of thousands adds each name once.
 */

/** The chosen names with `name` added, or removed when `on` is false. */
export function toggleName(chosen: readonly string[], name: string, on: boolean): string[] {
  if (on) return chosen.includes(name) ? [...chosen] : [...chosen, name];
  return chosen.filter((n) => n !== name);
}

/** The chosen names and then every one of `names` not chosen yet. */
export function withNames(chosen: readonly string[], names: readonly string[]): string[] {
  const result = [...chosen];
  const seen = new Set(chosen);
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    result.push(name);
  }
  return result;
}

/** The chosen names without any of `names`. */
export function withoutNames(chosen: readonly string[], names: readonly string[]): string[] {
  const dropped = new Set(names);
  return chosen.filter((name) => !dropped.has(name));
}

/**
 * The names "Show only chosen" lists, in name order: those containing the search text in any case, or all of them.
 * Read from the set itself, not from main, so it shows exactly what was picked, whatever the source lists.
 */
export function chosenMatching(chosen: readonly string[], query: string): string[] {
  const needle = query.trim().toLowerCase();
  return chosen.filter((name) => needle === '' || name.toLowerCase().includes(needle)).sort((a, b) => a.localeCompare(b, 'en'));
}
