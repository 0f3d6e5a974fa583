import { sequenceOf } from './paths';

/** Curator's protection prefix: a create retried after a connection loss finds its node by GUID. */
export const PROTECTED_PREFIX = '_c_';

/** Name stem of latch nodes (after the protection prefix). */
export const LATCH_NODE_STEM = 'latch-';

const GUID_PATTERN = /^_c_([0-9a-f-]{36})-/;

/** The name to create (EPHEMERAL_SEQUENTIAL) for a contender: `_c_<guid>-latch-`. */
export function protectedLatchName(guid: string): string {
  return `${PROTECTED_PREFIX}${guid}-${LATCH_NODE_STEM}`;
}

/** The GUID embedded in a protected node name, or null. */
export function guidOf(name: string): string | null {
  return GUID_PATTERN.exec(name)?.[1] ?? null;
}

/** Latch node names ordered by sequence number (names without one are dropped). */
export function sortBySequence(names: readonly string[]): string[] {
  return names.filter((n) => sequenceOf(n) >= 0).sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/** Where a contender stands: `leader`, `follower` (with the node to watch) or `missing`. */
export type LatchPosition =
  | { readonly kind: 'leader' }
  | { readonly kind: 'follower'; readonly predecessor: string }
  | { readonly kind: 'missing' };

/** Each contender watches only its predecessor, so a leader change wakes one node, not the herd. */
export function latchPosition(names: readonly string[], ours: string): LatchPosition {
  const sorted = sortBySequence(names);
  const i = sorted.indexOf(ours);
  if (i < 0) return { kind: 'missing' };
  const predecessor = sorted[i - 1];
  return predecessor === undefined ? { kind: 'leader' } : { kind: 'follower', predecessor };
}
