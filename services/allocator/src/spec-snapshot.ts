/** Turning the spec cache's snapshot into the reconciler's `specs` and `unreadable` inputs. */
import { type InstanceSpec } from '@wharf/model';
import { MODEL_DECODER } from '@wharf/zk';
import { type Logger } from '@wharf/observability';

/** A node of the cache snapshot (the subset used here). */
export interface SnapshotNode {
  data: Buffer;
}

/** Specs by instance id, plus the ids whose znode exists but does not hold a usable spec. */
export interface SpecView {
  specs: Map<string, InstanceSpec>;
  unreadable: Set<string>;
}

/**
 * Reads the children of `root` in `snapshot`. A bad spec keeps the last good one for that
 * instance (`previous`), or makes the instance `unreadable` (left alone, never torn down).
 */
export function readSpecs(
  snapshot: ReadonlyMap<string, SnapshotNode>,
  root: string,
  allocatorId: string,
  previous: ReadonlyMap<string, InstanceSpec>,
  logger: Logger,
): SpecView {
  const view: SpecView = { specs: new Map(), unreadable: new Set() };
  const prefix = `${root}/`;
  for (const [path, node] of snapshot) {
    if (!path.startsWith(prefix)) continue;
    const name = path.slice(prefix.length);
    if (name.includes('/')) continue;
    try {
      const spec = MODEL_DECODER.decode('instance-spec', node.data);
      if (spec.instance_id !== name || spec.allocator_id !== allocatorId) {
        throw new Error(`spec names instance ${spec.instance_id} on allocator ${spec.allocator_id}`);
      }
      view.specs.set(name, spec);
    } catch (err) {
      const kept = previous.get(name);
      if (kept) view.specs.set(name, kept);
      else view.unreadable.add(name);
      logger.warn('unreadable instance spec skipped', {
        instance: name,
        keptPrevious: kept !== undefined,
        err,
      });
    }
  }
  return view;
}
