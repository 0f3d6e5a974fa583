/**
 * A map of instance ids to values, grouped by the deployments the ids may belong to, so "every
 * instance of deployment d" costs O(that deployment) instead of a scan of the whole fleet.
 *
 * Instance ids are `<deployment>-<ref_id>-<index>` and deployment ids may hold hyphens, so an id
 * does not say where its deployment part ends: `a-b-es-0` belongs to `a` (ref `b-es`) or to `a-b`
 * (ref `es`). Each id is therefore filed under every prefix that ends before one of its hyphens
 * (two or three for the ids the platform makes), which gives exactly what a `startsWith(d + '-')`
 * scan gave, in the same order: each group is a `Map` updated together with the caller's own map,
 * so insertion order follows it.
 */

/** Values by instance id, each also reachable through its possible deployment prefixes. */
export class ByDeployment<V> {
  private readonly groups = new Map<string, Map<string, V>>();

  /** Sets (adds or replaces) the value of `id`. */
  set(id: string, value: V): void {
    for (let dash = id.indexOf('-'); dash > 0; dash = id.indexOf('-', dash + 1)) {
      const key = id.slice(0, dash);
      let group = this.groups.get(key);
      if (!group) {
        group = new Map();
        this.groups.set(key, group);
      }
      group.set(id, value);
    }
  }

  /** Forgets `id` (no-op when unknown). */
  delete(id: string): void {
    for (let dash = id.indexOf('-'); dash > 0; dash = id.indexOf('-', dash + 1)) {
      const key = id.slice(0, dash);
      const group = this.groups.get(key);
      if (!group) continue;
      group.delete(id);
      if (group.size === 0) this.groups.delete(key);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.groups.clear();
  }

  /** The entries whose id starts with `<deploymentId>-`, in the order they were first set. */
  of(deploymentId: string): ReadonlyMap<string, V> {
    return this.groups.get(deploymentId) ?? EMPTY;
  }
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>();
