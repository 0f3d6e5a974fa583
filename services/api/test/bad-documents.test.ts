/**
 * Another service's bad data never breaks the api: garbage JSON under a plan znode or a
 * deployment record is logged once (per znode state) and skipped, and the api keeps answering.
 */
import { paths } from '@wharf/model';
import { startZooKeeper, waitFor, type TestZooKeeper } from '@wharf/testkit';
import { BAD_DOCUMENT_MESSAGE } from '@wharf/zk';
import { startHarness, type Harness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';

jest.setTimeout(30_000);

describe('bad documents in ZooKeeper', () => {
  let server: TestZooKeeper;
  let h: Harness;

  beforeAll(async () => {
    server = await startZooKeeper();
    h = await startHarness(server.connectString, '/api-bad-documents');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  const warningsFor = (path: string) =>
    h.logger.entries.filter(
      (e) => e.message === BAD_DOCUMENT_MESSAGE && (e.meta as { path?: string }).path === path,
    );

  it('a garbage pending plan is skipped, logged once, and the deployment still reads', async () => {
    const id = (await h.call('POST', '/api/v1/deployments', etcdRequest('garbage-plan'))).body.id as string;
    await h.zk.set(paths.planPending(id), '{"not": "a plan', -1);
    for (let i = 0; i < 3; i++) {
      const plan = await h.call('GET', `/api/v1/deployments/${id}/plan`);
      expect(plan.status).toBe(200);
      expect(plan.body.pending).toBeNull();
      expect((await h.call('GET', `/api/v1/deployments/${id}`)).status).toBe(200);
    }
    expect(warningsFor(paths.planPending(id))).toHaveLength(1);
  });

  it('a garbage deployment record is left out of the list, logged once', async () => {
    const good = (await h.call('POST', '/api/v1/deployments', etcdRequest('good'))).body.id as string;
    const bad = (await h.call('POST', '/api/v1/deployments', etcdRequest('bad'))).body.id as string;
    await h.zk.set(paths.deployment(bad), 'garbage', -1);
    await waitFor(async () => {
      const ids = ((await h.call('GET', '/api/v1/deployments')).body.deployments as { id: string }[]).map(
        (d) => d.id,
      );
      return ids.includes(good) && !ids.includes(bad);
    });
    const list = await h.call('GET', '/api/v1/deployments');
    expect(list.status).toBe(200);
    expect(warningsFor(paths.deployment(bad))).toHaveLength(1);
  });
});
