/**
 * Which secrets the list has ticked for a bulk edit, as pure functions on an
 * immutable value: a click or Space toggles one, Shift with either ticks the
 * range from the last one toggled, "Select all listed" ticks what the list's
 * filters match. Kept out of the view so the rules are tested without a DOM.
 */
export interface SecretSelection {
  /** Ticked secrets, id to name (the name says which in the edit's dialog). */
  picked: ReadonlyMap<string, string>;
  /** The row index a Shift+click or Shift+Space extends from. */
  anchor: number | null;
}

export const emptySelection: SecretSelection = { picked: new Map(), anchor: null };

/** Ticks or unticks one row, which becomes the anchor. */
export function toggle(selection: SecretSelection, index: number, secret: { id: string; name: string }): SecretSelection {
  const picked = new Map(selection.picked);
  if (picked.has(secret.id)) picked.delete(secret.id);
  else picked.set(secret.id, secret.name);
  return { picked, anchor: index };
}

/**
 * Ticks every row from the anchor to `index` (both included), as far as `rowAt` has them loaded;
 * without an anchor it toggles the one row.
 */
export function extendTo(selection: SecretSelection, index: number, rowAt: (index: number) => { id: string; name: string } | undefined): SecretSelection {
  const secret = rowAt(index);
  if (selection.anchor === null) return secret ? toggle(selection, index, secret) : selection;
  const picked = new Map(selection.picked);
  const [from, to] = selection.anchor <= index ? [selection.anchor, index] : [index, selection.anchor];
  for (let at = from; at <= to; at++) {
    const row = rowAt(at);
    if (row) picked.set(row.id, row.name);
  }
  return { picked, anchor: selection.anchor };
}

/** Every listed secret ticked. */
export function selectAll(secrets: readonly { id: string; name: string }[]): SecretSelection {
  return { picked: new Map(secrets.map((secret) => [secret.id, secret.name])), anchor: null };
}
