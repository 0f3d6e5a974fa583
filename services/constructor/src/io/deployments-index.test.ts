import { paths } from '@wharf/model';
import { type NodeParser } from '../core/observed';
import { DeploymentsIndex } from './deployments-index';

const parse: NodeParser = (_kind, _path, data) => JSON.parse(data.toString()) as never;
const D = 'd1';
const ATTEMPT = paths.planAttempt(D);
const doc = (status: string): Buffer => Buffer.from(JSON.stringify({ plan_id: 'p1', status }));

/** An index holding deployment `d1` with a running attempt at version 0, as the cache loaded it. */
function loaded(): DeploymentsIndex {
  const index = new DeploymentsIndex(parse);
  index.put(paths.deployment(D), Buffer.from('{}'), 0);
  index.put(ATTEMPT, doc('running'), 0);
  return index;
}

const attemptOf = (index: DeploymentsIndex) => index.planNodes(D)?.attempt;

test("the leader's own write is the attempt it holds, at the version the write returned", () => {
  const index = loaded();
  index.known(ATTEMPT, doc('success'), 3);
  expect(attemptOf(index)).toEqual({ value: { plan_id: 'p1', status: 'success' }, version: 3 });
  expect(index.current().get(D)?.attempt?.status).toBe('success');
});

test('a cache read older than a known write does not take it back (a reload answered before the write)', () => {
  const index = loaded();
  index.known(ATTEMPT, doc('success'), 3);
  index.put(ATTEMPT, doc('running'), 2);
  expect(attemptOf(index)?.version).toBe(3);
  // A newer one (a write this leader did not make, seen by a reload) replaces it.
  index.put(ATTEMPT, doc('error'), 4);
  expect(attemptOf(index)).toEqual({ value: { plan_id: 'p1', status: 'error' }, version: 4 });
});

test('a fresh read replaces whatever the leader held (a deposed leader wrote meanwhile)', () => {
  const index = loaded();
  index.known(ATTEMPT, doc('running'), 5);
  index.known(ATTEMPT, doc('success'), 6); // the runner's fresh read after its write failed
  expect(attemptOf(index)).toEqual({ value: { plan_id: 'p1', status: 'success' }, version: 6 });
});

test('after a removal the guard is gone, and writes to a deleted deployment are dropped', () => {
  const index = loaded();
  index.known(ATTEMPT, doc('success'), 7);
  index.remove(ATTEMPT);
  index.put(ATTEMPT, doc('running'), 0); // re-created
  expect(attemptOf(index)?.version).toBe(0);
  index.remove(ATTEMPT);
  index.remove(paths.deployment(D));
  index.known(ATTEMPT, doc('success'), 1);
  expect(index.planNodes(D)).toBeUndefined();
  expect(index.current().has(D)).toBe(false);
});
