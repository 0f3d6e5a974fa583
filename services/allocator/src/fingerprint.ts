/**
 * What in a spec forces a running instance to be re-created. Version, size and settings change
 * the command line or the limits, so they do; `cluster` (members join and leave while the
 * instance runs; the stack itself learns of them), `hold`, `generation`, `plan_attempt_id` and
 * `created` do not.
 */
import { createHash } from 'node:crypto';
import { type InstanceSpec } from '@wharf/model';

/** Hex characters kept from the hash: short enough for a label, far from colliding. */
const FINGERPRINT_LENGTH = 16;

/** A stable hash of the fields of `spec` that require a re-create when they change. */
export function specFingerprint(spec: InstanceSpec): string {
  const relevant = {
    stack: spec.stack,
    version: spec.version,
    memory_mb: spec.memory_mb,
    disk_mb: spec.disk_mb ?? null,
    settings: sortKeys(spec.settings ?? {}),
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, FINGERPRINT_LENGTH);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
