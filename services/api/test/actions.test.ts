/**
 * Deployment and instance actions against a real ZooKeeper: a good request writes one pending
 * plan (the current plan with a new `stopped` block); every bad one is refused with a 4xx naming
 * the field and leaves the whole tree exactly as it was.
 */
import { parseDocument, paths } from '@wharf/model';
import { startZooKeeper, waitFor, type TestZooKeeper } from '@wharf/testkit';
import { startHarness, type Harness } from './helpers/harness';
import { advertisement, etcdRequest, instanceSpec } from './helpers/plans';
import { dumpTree, createJson } from './helpers/tree';

jest.setTimeout(30_000);

describe('deployment and instance actions', () => {
  let server: TestZooKeeper;
  let h: Harness;
  let d: string;

  const put = (path: string, value: unknown) => createJson(h.zk, path, value);
  const pending = async () =>
    (await h.zk.exists(paths.planPending(d)))
      ? parseDocument('plan', (await h.zk.get(paths.planPending(d))).data)
      : undefined;
  /** What the constructor does when it applied the pending plan: current := pending. */
  const complete = async () => {
    const next = await h.zk.get(paths.planPending(d));
    await h.zk.set(paths.planCurrent(d), next.data, -1);
    await h.zk.delete(paths.planPending(d), -1);
  };
  const call = (path: string) => h.call('POST', `/api/v1/deployments/${d}${path}`);

  beforeAll(async () => {
    server = await startZooKeeper();
    h = await startHarness(server.connectString, '/api-actions');
    d = (await h.call('POST', '/api/v1/deployments', etcdRequest('actions', 3))).body.id;
    const created = await h.zk.get(paths.planPending(d));
    await h.zk.transaction().create(paths.planCurrent(d), created.data).delete(paths.planPending(d)).commit();
    for (const [i, a] of ['a1', 'b1', 'c1'].entries()) {
      await put(paths.allocator(a), advertisement(a, `zone-${a[0]}`, 4096));
      await put(paths.instanceSpec(a, `${d}-main-${i}`), instanceSpec(d, a, `zone-${a[0]}`, i));
    }
    await waitFor(async () => (await h.call('GET', `/api/v1/deployments/${d}`)).body.instances.length === 3);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  const refused = async (path: string, status: number, code: string, field: string) => {
    const before = await dumpTree(h.zk);
    const res = await call(path);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details.map((x: any) => x.path)).toContain(field);
    expect(await dumpTree(h.zk)).toEqual(before);
  };

  it('refuses bad and unknown instance ids, naming them, writing nothing', async () => {
    await refused(`/instances/${d}-main-9/_stop`, 404, 'WHARF_NOT_FOUND', 'instance_ids');
    await refused(`/instances/${d}-main-0,${d}-main-9/_start`, 404, 'WHARF_NOT_FOUND', 'instance_ids');
    await refused(`/instances/${d}-main-0,${d}-main-0/_stop`, 400, 'WHARF_BAD_REQUEST', 'instance_ids');
    await refused('/instances/Bad_Id/_stop', 400, 'WHARF_BAD_REQUEST', 'instance_ids');
    await refused(`/instances/${d}-main-0/_stop?force=maybe`, 400, 'WHARF_BAD_REQUEST', 'force');
    await refused(`/instances/${d}-main-0/_start`, 409, 'WHARF_CONFLICT', 'instance_ids');
    await refused('/_start', 409, 'WHARF_CONFLICT', 'id');
    await refused(`/instances/${d}-main-0,${d}-main-1/_stop`, 409, 'WHARF_IN_USE', 'instance_ids');
  });

  it('stops a minority; refuses a second stop that breaks quorum unless forced', async () => {
    expect((await call(`/instances/${d}-main-1/_stop`)).status).toBe(202);
    expect(await pending()).toMatchObject({
      source: { action: 'stop-instances' },
      stopped: { instances: [`${d}-main-1`] },
    });
    await refused(`/instances/${d}-main-2/_stop`, 409, 'WHARF_CONFLICT', 'id'); // a plan is pending
    await complete();
    await refused(`/instances/${d}-main-2/_stop`, 409, 'WHARF_IN_USE', 'instance_ids');
    await refused(`/instances/${d}-main-1/_stop`, 409, 'WHARF_CONFLICT', 'instance_ids');
    expect((await call(`/instances/${d}-main-2/_stop?force=true`)).status).toBe(202);
    expect((await pending())?.stopped).toEqual({ instances: [`${d}-main-1`, `${d}-main-2`] });
    await complete();
    expect((await call(`/instances/${d}-main-1,${d}-main-2/_start`)).status).toBe(202);
    expect((await pending())?.stopped).toBeUndefined();
    await complete();
  });

  it('shuts down once; PUT is refused while shut down; _restart writes a start, not a replacement', async () => {
    expect((await call('/_shutdown')).status).toBe(202);
    expect(await pending()).toMatchObject({ source: { action: 'shutdown' }, stopped: { all: true } });
    await complete();
    expect((await h.call('GET', `/api/v1/deployments/${d}`)).body.status).toBe('stopped');
    // The list (a watch-driven cache of the records and plan znodes) says the same as the GET.
    const listed = async () =>
      (await h.call('GET', '/api/v1/deployments')).body.deployments.find((x: any) => x.id === d)?.status;
    await waitFor(async () => (await listed()) === 'stopped');
    await refused('/_shutdown', 409, 'WHARF_CONFLICT', 'id');
    await refused(`/instances/${d}-main-0/_stop`, 409, 'WHARF_CONFLICT', 'id');
    const before = await dumpTree(h.zk);
    const put = await h.call('PUT', `/api/v1/deployments/${d}`, etcdRequest('actions', 3));
    expect(put.status).toBe(409);
    expect(await dumpTree(h.zk)).toEqual(before);
    expect((await call('/_restart')).status).toBe(202);
    const start = await pending();
    expect(start?.source.action).toBe('start');
    expect(start?.stopped).toBeUndefined();
    expect(JSON.stringify(start?.resources)).not.toContain('reallocate_instances');
    await complete();
    await waitFor(async () => (await listed()) === 'running');
  });
});
