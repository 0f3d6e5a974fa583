import { SCHEMA_VERSION, type InstanceSpec } from '@wharf/model';
import { decidePass, pickPorts, type SimInstance } from './lifecycle';

const spec = (id: string, extra: Partial<InstanceSpec> = {}): InstanceSpec => ({
  schema_version: SCHEMA_VERSION,
  instance_id: id,
  deployment_id: 'd1',
  ref_id: 'main',
  topology_id: 'default',
  stack: 'http',
  version: '1.0',
  allocator_id: 'a1',
  zone: 'zone-a',
  memory_mb: 128,
  hold: false,
  cluster: { token: 't', state: 'new', members: [] },
  plan_attempt_id: 'attempt-0',
  generation: 2,
  created: '2024-01-01T00:00:00.000Z',
  ...extra,
});
const known = (state: SimInstance['state'], generation = 2): SimInstance => ({
  state,
  generation,
  ports: { http: 20000 },
});
const ids = (list: InstanceSpec[]) => list.map((s) => s.instance_id);

describe('decidePass', () => {
  it('reserves a held spec once, and starts it once released', () => {
    const held = new Map([['i1', spec('i1', { hold: true, generation: 1 })]]);
    expect(ids(decidePass(held, new Map()).reserve)).toEqual(['i1']);
    expect(decidePass(held, new Map([['i1', known('reserved', 1)]]))).toEqual({
      reserve: [],
      start: [],
      remove: [],
    });
    const released = new Map([['i1', spec('i1')]]);
    expect(ids(decidePass(released, new Map([['i1', known('reserved', 1)]])).start)).toEqual(['i1']);
  });

  it('leaves a starting or running instance at its generation alone, restarts it at a newer one', () => {
    const specs = new Map([['i1', spec('i1')]]);
    expect(decidePass(specs, new Map([['i1', known('starting')]])).start).toEqual([]);
    expect(decidePass(specs, new Map([['i1', known('running')]])).start).toEqual([]);
    expect(ids(decidePass(specs, new Map([['i1', known('running', 1)]])).start)).toEqual(['i1']);
  });

  it('re-reserves an instance put on hold again, and removes instances whose spec is gone', () => {
    const specs = new Map([['i1', spec('i1', { hold: true })]]);
    const pass = decidePass(
      specs,
      new Map([
        ['i1', known('running')],
        ['i2', known('running')],
      ]),
    );
    expect(ids(pass.reserve)).toEqual(['i1']);
    expect(pass.remove).toEqual(['i2']);
  });
});

describe('pickPorts', () => {
  it('picks the lowest free ports and says so when the range is full', () => {
    expect(pickPorts(['client', 'peer'], { from: 10, to: 13 }, new Set([10, 12]))).toEqual({
      client: 11,
      peer: 13,
    });
    expect(pickPorts(['client', 'peer'], { from: 10, to: 11 }, new Set([10]))).toBeUndefined();
  });
});
