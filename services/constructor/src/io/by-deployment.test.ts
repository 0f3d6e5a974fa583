import { paths, type InstanceSpec } from '@wharf/model';
import { specDoc } from '../../test/fixtures';
import { type NodeParser } from '../core/observed';
import { ByDeployment } from './by-deployment';
import { ObservedIndex } from './observed-index';

const parse: NodeParser = (_kind, _path, data) => JSON.parse(data.toString()) as never;

/** Deployment ids with hyphens, one a prefix of another: the case a naive split gets wrong. */
const DEPLOYMENTS = ['a', 'a-b', 'ab', 'c-d-e'];
const ALLOCATORS = ['x1', 'x2'];

/** A spec with an arbitrary id (the index files it by the id's prefixes, not `deployment_id`). */
const spec = (id: string, allocator: string, generation: number): InstanceSpec =>
  specDoc('unused', 0, allocator, 'zone-a', { instance_id: id, generation });

/** What the index replaced: a scan of every spec and status. */
function scanned(i: ObservedIndex, d: string): { specs: string[]; statuses: string[] } {
  const prefix = `${d}-`;
  return {
    specs: [...i.view.specs.values()].map((s) => s.instance_id).filter((id) => id.startsWith(prefix)),
    statuses: [...i.view.statuses.keys()].filter((id) => id.startsWith(prefix)),
  };
}

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x >>> 16) % n;
  };
}

describe('ByDeployment', () => {
  it('files an id under each deployment it may belong to and forgets it on delete', () => {
    const m = new ByDeployment<number>();
    m.set('a-b-es-0', 1);
    m.set('a-main-0', 2);
    m.set('ab-main-0', 3);
    expect([...m.of('a').keys()]).toEqual(['a-b-es-0', 'a-main-0']);
    expect([...m.of('a-b').keys()]).toEqual(['a-b-es-0']);
    expect([...m.of('ab').keys()]).toEqual(['ab-main-0']);
    m.set('a-b-es-0', 4);
    expect(m.of('a-b').get('a-b-es-0')).toBe(4);
    m.delete('a-b-es-0');
    expect([...m.of('a').keys()]).toEqual(['a-main-0']);
    expect(m.of('a-b').size).toBe(0);
    m.clear();
    expect(m.of('a').size).toBe(0);
  });
});

describe('ObservedIndex by deployment', () => {
  it('follows adds, changes, deletes, the ledger and reloads exactly as a full scan would', () => {
    let now = 0;
    const i = new ObservedIndex(parse, () => now);
    const rand = lcg(7);
    const seen = new Set<string>();
    for (let step = 0; step < 1500; step++) {
      now += 10;
      const d = DEPLOYMENTS[rand(DEPLOYMENTS.length)]!;
      const id = `${d}-${rand(2) === 0 ? 'main' : 'b-es'}-${rand(4)}`;
      const allocator = ALLOCATORS[rand(ALLOCATORS.length)]!;
      const specPath = paths.instanceSpec(allocator, id);
      const statusPath = paths.instanceStatus(allocator, id);
      const op = rand(9);
      if (op === 0) i.put(specPath, Buffer.from(JSON.stringify(spec(id, allocator, step + 1))));
      else if (op === 1) i.remove(specPath);
      else if (op === 2)
        i.put(statusPath, Buffer.from(JSON.stringify({ instance_id: id, generation: step })));
      else if (op === 3) i.remove(statusPath);
      else if (op === 4) i.recordCreated([spec(id, allocator, step + 1)]);
      else if (op === 5) i.recordDeleted(id);
      else if (op === 6) i.forgetCreated([id]);
      else if (op === 7)
        i.put(statusPath, Buffer.from('null')); // unparseable: dropped
      else if (step % 500 === 0) i.load(new Map());
      for (const each of DEPLOYMENTS) {
        const want = scanned(i, each);
        expect(i.specsOfDeployment(each).map((s) => s.instance_id)).toEqual(want.specs);
        expect(i.statusIdsOfDeployment(each)).toEqual(want.statuses);
        if (want.specs.length > 1 && want.statuses.length > 1) seen.add(each);
      }
    }
    // The generator reached every kind of state (not a vacuous comparison of empty lists).
    expect([...seen].sort()).toEqual([...DEPLOYMENTS].sort());
  });

  it('answers from the deployment alone, without walking every spec and status', () => {
    const i = new ObservedIndex(parse, () => 0);
    for (let n = 0; n < 50; n++) {
      const id = `d${n}-main-0`;
      i.put(paths.instanceSpec('x1', id), Buffer.from(JSON.stringify(spec(id, 'x1', 1))));
      i.put(paths.instanceStatus('x1', id), Buffer.from(JSON.stringify({ instance_id: id })));
    }
    const specWalk = jest.spyOn(i.view.specs, 'values');
    const statusWalk = jest.spyOn(i.view.statuses, 'keys');
    expect(i.specsOfDeployment('d7').map((s) => s.instance_id)).toEqual(['d7-main-0']);
    expect(i.statusIdsOfDeployment('d7')).toEqual(['d7-main-0']);
    expect(specWalk).not.toHaveBeenCalled();
    expect(statusWalk).not.toHaveBeenCalled();
  });
});
