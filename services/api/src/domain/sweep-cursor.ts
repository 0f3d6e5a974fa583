/**
 * Which markers one sweep round looks at: a bounded batch of the (sorted) names after a cursor,
 * wrapping around, so successive rounds walk the whole directory at a fixed cost per round.
 * Pure; the sweeper keeps the cursor.
 */

/** A batch of names and the cursor for the next round. */
export interface SweepBatch {
  names: string[];
  /** The last name of this batch: the next round starts after it. */
  cursor: string | undefined;
}

/**
 * Up to `size` names of `sorted` after `cursor` (exclusive), continuing from the start when the
 * end is reached; never the same name twice in one batch.
 */
export function nextBatch(sorted: readonly string[], cursor: string | undefined, size: number): SweepBatch {
  if (sorted.length === 0 || size <= 0) return { names: [], cursor: undefined };
  let start = cursor === undefined ? 0 : sorted.findIndex((name) => name > cursor);
  if (start < 0) start = 0;
  const count = Math.min(size, sorted.length);
  const names = Array.from({ length: count }, (_, i) => sorted[(start + i) % sorted.length]!);
  return { names, cursor: names[names.length - 1] };
}
