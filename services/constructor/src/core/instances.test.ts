import { FAILURE_TYPES } from '@wharf/model';
import { specDoc, statusDoc } from '../../test/fixtures';
import { failureTypeOf } from './failure';
import {
  clusterTokenOf,
  isRunningAt,
  memberList,
  placementOf,
  reservedStatuses,
  runningNow,
} from './instances';

const D = 'd1';
const a = specDoc(D, 0, 'a1', 'zone-a');
const b = specDoc(D, 1, 'b1', 'zone-b');

describe('instances', () => {
  it('waits for every instance to report ports, and fails fast on a failed one', () => {
    const ids = [a.instance_id, b.instance_id];
    expect(reservedStatuses(ids, new Map([[a.instance_id, statusDoc(a)]]))).toBeUndefined();
    const both = new Map([
      [a.instance_id, statusDoc(a)],
      [b.instance_id, statusDoc(b)],
    ]);
    expect(reservedStatuses(ids, both)?.size).toBe(2);
    const failed = new Map([[a.instance_id, statusDoc(a, { state: 'failed', message: 'boom' })]]);
    let err: unknown;
    try {
      reservedStatuses(ids, failed);
    } catch (e) {
      err = e;
    }
    expect(failureTypeOf(err)).toBe(FAILURE_TYPES.instanceFailed);
  });

  it('counts an instance running only when released and at its generation', () => {
    const statuses = new Map([[a.instance_id, statusDoc(a, { generation: 1 })]]);
    expect(isRunningAt(statuses.get(a.instance_id), 2)).toBe(false);
    expect(runningNow(a.instance_id, new Map([[a.instance_id, { ...a, generation: 1 }]]), statuses)).toBe(
      true,
    );
    expect(
      runningNow(a.instance_id, new Map([[a.instance_id, { ...a, generation: 1, hold: true }]]), statuses),
    ).toBe(false);
  });

  it('lists members that have a status; placements and tokens come from the attempt state', () => {
    expect(memberList(new Map([[a.instance_id, statusDoc(a)]]), [a.instance_id, b.instance_id])).toEqual([
      { name: a.instance_id, host: '127.0.0.1', ports: { client: 21000, peer: 21001 } },
    ]);
    expect(() => placementOf([], a.instance_id)).toThrow(/no placement/);
    expect(clusterTokenOf(undefined, D, 'main')).toBe(`${D}-main`);
    expect(clusterTokenOf({ main: 't' }, D, 'main')).toBe('t');
  });
});
