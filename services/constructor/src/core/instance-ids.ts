/**
 * Instance ids are `<deployment>-<ref_id>-<index>` (one DNS label). Indexes only grow within a
 * resource, so a replaced instance never shares an id with its replacement. Pure.
 */
import { instanceId } from '@wharf/model';

/** A parsed instance id. */
export interface ParsedInstanceId {
  ref_id: string;
  index: number;
}

/** The id of the `index`-th instance of a resource (throws `WHARF_INVALID_ID` when too long). */
export function makeInstanceId(deploymentId: string, refId: string, index: number): string {
  return instanceId(deploymentId, refId, index);
}

/** Parses `<deployment>-<ref>-<n>`; undefined when `id` does not belong to the deployment. */
export function parseInstanceId(deploymentId: string, id: string): ParsedInstanceId | undefined {
  const prefix = `${deploymentId}-`;
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  const dash = rest.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const index = rest.slice(dash + 1);
  if (!/^\d+$/.test(index)) return undefined;
  return { ref_id: rest.slice(0, dash), index: Number(index) };
}

/** Compares instance ids so `-2` sorts before `-10`. */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
