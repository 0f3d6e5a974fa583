import { parseDocument, serializeDocument, type DocumentKind, type DocumentTypes } from '@wharf/model';
import { allocatorAd, etcdPlanDoc, specDoc, statusDoc } from '../../test/fixtures';
import { deploymentsFromTree, observedFromTree, type NodeParser } from './observed';

const bad: string[] = [];
const parse: NodeParser = <K extends DocumentKind>(kind: K, path: string, data: Buffer) => {
  try {
    return parseDocument(kind, data) as DocumentTypes[K];
  } catch {
    bad.push(path);
    return undefined;
  }
};
const node = (data: Buffer | string = '') => ({ data: Buffer.isBuffer(data) ? data : Buffer.from(data) });

describe('observedFromTree', () => {
  it('reads advertisements, live nodes, specs and statuses, skipping bad documents', () => {
    const spec = specDoc('d1', 0, 'a1', 'zone-a');
    const nodes = new Map([
      ['/allocators', node()],
      ['/allocators/a1', node(serializeDocument('allocator-advertisement', allocatorAd('a1', 'zone-a')))],
      ['/allocators/a1/live', node()],
      ['/allocators/a1/instances', node()],
      ['/allocators/a1/instances/d1-main-0', node(serializeDocument('instance-spec', spec))],
      ['/allocators/a1/status/d1-main-0', node(serializeDocument('instance-status', statusDoc(spec)))],
      ['/allocators/b1', node(serializeDocument('allocator-advertisement', allocatorAd('b1', 'zone-b')))],
      ['/allocators/c1', node('{"not":"an ad"}')],
    ]);
    const o = observedFromTree(nodes, parse);
    expect([...o.allocators.keys()]).toEqual(['a1', 'b1']);
    expect(o.allocators.get('a1')?.live).toBe(true);
    expect(o.allocators.get('b1')?.live).toBe(false);
    expect(o.specs.get('d1-main-0')).toEqual(spec);
    expect(o.statuses.get('d1-main-0')?.state).toBe('running');
    expect(bad).toEqual(['/allocators/c1']);
    // Liveness does not depend on a readable advertisement: a bad one must not hide a loss.
    expect([...o.live]).toEqual(['a1']);
    expect([...o.known].sort()).toEqual(['a1', 'b1', 'c1']);
  });
});

describe('deploymentsFromTree', () => {
  it('reads pending plans and attempts per deployment', () => {
    const nodes = new Map([
      ['/deployments', node()],
      ['/deployments/d1', node('garbage')],
      ['/deployments/d1/plan', node()],
      ['/deployments/d1/plan/pending', node(serializeDocument('plan', etcdPlanDoc('d1', { planId: 'p1' })))],
      ['/deployments/d2', node()],
    ]);
    const views = deploymentsFromTree(nodes, parse);
    expect(views.get('d1')?.pending?.plan_id).toBe('p1');
    expect(views.get('d1')?.deployment).toBeUndefined();
    expect(views.get('d2')).toEqual({ id: 'd2' });
  });
});
