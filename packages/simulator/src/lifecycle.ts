/**
 * What a simulated allocator does with its specs: a pure decision per pass, the simulated
 * counterpart of `services/allocator`'s `decide()`. A real allocator reports `reserved` (ports
 * held) for a held spec, `starting` once it launched a released one, `running` + healthy once the
 * stack's probe passes, and deletes the status when the spec goes. The simulator makes the same
 * writes in the same order, with a timer standing in for the process start and the probe.
 *
 * ```
 *   spec held ─────────────▶ reserved
 *   spec released ─────────▶ starting ──(simulated delay)──▶ running, healthy
 *   generation bumped ─────▶ starting ──(simulated delay)──▶ running, healthy
 *   spec deleted ──────────▶ status deleted
 * ```
 */
import { type InstanceSpec } from '@wharf/model';

/** What the simulated allocator last wrote for an instance. */
export interface SimInstance {
  state: 'reserved' | 'starting' | 'running';
  generation: number;
  ports: Record<string, number>;
}

/** One pass's writes: statuses to write now, instances to start (timer), statuses to delete. */
export interface SimPass {
  reserve: InstanceSpec[];
  start: InstanceSpec[];
  remove: string[];
}

/** The writes that bring `instances` in line with `specs`. */
export function decidePass(
  specs: ReadonlyMap<string, InstanceSpec>,
  instances: ReadonlyMap<string, SimInstance>,
): SimPass {
  const pass: SimPass = { reserve: [], start: [], remove: [] };
  for (const [id, spec] of specs) {
    const known = instances.get(id);
    if (spec.hold) {
      if (known?.state !== 'reserved') pass.reserve.push(spec);
    } else if (!known || known.state === 'reserved' || known.generation < spec.generation) {
      pass.start.push(spec);
    }
  }
  for (const id of instances.keys()) if (!specs.has(id)) pass.remove.push(id);
  return pass;
}

/** Lowest free ports of `range` for `names`, skipping every port in `held`; undefined when full. */
export function pickPorts(
  names: readonly string[],
  range: { from: number; to: number },
  held: ReadonlySet<number>,
): Record<string, number> | undefined {
  const ports: Record<string, number> = {};
  let next = range.from;
  for (const name of names) {
    while (next <= range.to && held.has(next)) next++;
    if (next > range.to) return undefined;
    ports[name] = next++;
  }
  return ports;
}
