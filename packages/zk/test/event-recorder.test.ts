/**
 * The event recorder against a real ZooKeeper: events land as ordered `/events/event-<seq>`
 * documents with their deployment's organization filled in, the oldest beyond `maxKept` are
 * pruned, and `emit()` never throws, even on a closed session.
 */
import { parseDocument, paths, serializeDocument } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { EventRecorder } from '../src/index';

jest.setTimeout(30_000);

const zkf = useZooKeeper();

test('records ordered events with the organization, prunes the oldest, never throws', async () => {
  const zk = await zkf.session();
  await zk.mkdirp(paths.deployments());
  await zk.create(
    paths.deployment('d1'),
    serializeDocument('deployment', {
      schema_version: 1,
      id: 'd1',
      name: 'd1',
      created: new Date().toISOString(),
      updated: new Date().toISOString(),
      organization_id: 'acme',
    }),
  );
  const recorder = new EventRecorder(zk, { maxKept: 5 });
  recorder.emit({ type: 'plan-failed', severity: 'warning', deployment_id: 'd1', message: 'first' });
  await recorder.flush();
  const [first] = await zk.children(paths.events());
  const event = parseDocument('event', (await zk.get(`${paths.events()}/${first}`)).data);
  expect(event).toMatchObject({
    type: 'plan-failed',
    deployment_id: 'd1',
    organization_id: 'acme',
    message: 'first',
  });

  for (let i = 1; i <= 44; i++) {
    recorder.emit({ type: 'quota-reached', severity: 'warning', message: `n${i}` });
    await recorder.flush();
  }
  // Pruned at the 20th and 40th event down to 5; 4 more since.
  const names = (await zk.children(paths.events())).sort();
  expect(names).toHaveLength(9);
  expect(names[0]).toBe('event-0000000036');
  expect(names.at(-1)).toBe('event-0000000044');

  await zk.close();
  expect(() => recorder.emit({ type: 'quota-reached', severity: 'warning', message: 'late' })).not.toThrow();
  recorder.close();
  await recorder.flush();
});
