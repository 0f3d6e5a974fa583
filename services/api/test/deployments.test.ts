/**
 * Deployments through the REST API against a real ZooKeeper: what each call writes (read back
 * from the znodes), idempotency, paging, optimistic concurrency, delete and cancel.
 */
import { createHash } from 'node:crypto';
import { parseDocument, paths } from '@wharf/model';
import { waitFor } from '@wharf/testkit';
import { BAD_DOCUMENT_MESSAGE } from '@wharf/zk';
import { useApiHarness } from './helpers/harness';
import { etcdRequest, httpResource } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

describe('deployments API', () => {
  const { h } = useApiHarness('/api-deployments');

  const read = async (path: string) => JSON.parse((await h.zk.get(path)).data.toString('utf8'));

  it('creates a deployment in one transaction: record, plan subtree, pending create plan', async () => {
    const res = await h.call('POST', '/api/v1/deployments', etcdRequest('orders'));
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    expect(res.body).toMatchObject({
      name: 'orders',
      endpoint: `http://${id}.localhost:9200`,
      resources: [{ kind: 'etcd', ref_id: 'main' }],
    });
    expect(res.headers.get('x-cloud-resource-version')).toBe('0');
    expect(res.headers.get('x-cloud-resource-created')).toBe(res.body.created);

    const record = parseDocument('deployment', (await h.zk.get(paths.deployment(id))).data);
    expect(record).toMatchObject({ id, name: 'orders', created: res.body.created });
    expect(record.deleting).toBeUndefined();
    expect(await h.zk.exists(paths.plan(id))).not.toBeNull();
    expect(await h.zk.children(paths.planHistory(id))).toEqual([]);
    const pending = parseDocument('plan', (await h.zk.get(paths.planPending(id))).data);
    expect(pending).toMatchObject({
      deployment_id: id,
      plan_id: res.body.plan_id,
      source: { action: 'create' },
    });
    expect(pending.resources).toEqual(etcdRequest().resources);
    expect(await h.zk.exists(paths.planCurrent(id))).toBeNull();
  });

  it('validate_only answers 200 and writes nothing', async () => {
    const before = await dumpTree(h.zk);
    const res = await h.call('POST', '/api/v1/deployments?validate_only=true', etcdRequest('dry'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true });
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('request_id makes create idempotent, also under concurrency', async () => {
    const requestId = 'req-0123456789abcdef0123456789abcdef';
    const path = `/api/v1/deployments?request_id=${requestId}`;
    const first = await h.call('POST', path, etcdRequest('once'));
    expect(first.status).toBe(201);
    const marker = read(`${paths.requestIds()}/${createHash('sha256').update(requestId).digest('hex')}`);
    await expect(marker).resolves.toMatchObject({ deployment_id: first.body.id });

    const again = await h.call('POST', path, etcdRequest('once'));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const other = await h.call('POST', path, etcdRequest('different'));
    expect(other.status).toBe(409);
    expect(other.body.error.details[0].path).toBe('request_id');

    const racing = 'race-0123456789abcdef0123456789abcdef';
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.call('POST', `/api/v1/deployments?request_id=${racing}`, etcdRequest('race')),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const named = (await h.call('GET', '/api/v1/deployments?size=100')).body.deployments.filter(
      (d: any) => d.name === 'race',
    );
    expect(named).toHaveLength(1);
  });

  it('lists deployments in creation order, paged', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await h.call('POST', '/api/v1/deployments', etcdRequest(`page-${i}`))).body.id);
    const all = (await h.call('GET', '/api/v1/deployments?size=100')).body;
    const ours = all.deployments.filter((d: any) => d.name.startsWith('page-'));
    // Creation order; two creates within one millisecond are ordered by id.
    const shown = await Promise.all(
      ids.map(async (id) => (await h.call('GET', `/api/v1/deployments/${id}`)).body),
    );
    const expected = shown
      .sort((a, b) => (a.created === b.created ? (a.id < b.id ? -1 : 1) : a.created < b.created ? -1 : 1))
      .map((d) => d.id);
    expect(ours.map((d: any) => d.id)).toEqual(expected);
    expect(new Set(expected)).toEqual(new Set(ids));
    expect(ours[0]).toEqual({
      id: expected[0],
      name: expect.stringMatching(/^page-/),
      created: expect.any(String),
      status: 'creating',
      stacks: ['etcd'],
    });

    const start = all.deployments.findIndex((d: any) => d.id === expected[0]);
    const page = (await h.call('GET', `/api/v1/deployments?from=${start + 1}&size=2`)).body;
    expect(page).toMatchObject({ total: all.total, from: start + 1, size: 2 });
    expect(page.deployments.map((d: any) => d.id)).toEqual(expected.slice(1, 3));
    const beyond = (await h.call('GET', `/api/v1/deployments?from=${all.total}`)).body;
    expect(beyond.deployments).toEqual([]);
  });

  it('shows a deployment with its pending plan, no instances yet, and its endpoint', async () => {
    const created = (await h.call('POST', '/api/v1/deployments', etcdRequest('show'))).body;
    const res = await h.call('GET', `/api/v1/deployments/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      name: 'show',
      version: 0,
      status: 'creating',
      healthy: false,
      deleting: false,
      endpoint: `http://${created.id}.localhost:9200`,
      instances: [],
      plan: {
        current: null,
        latest_attempt: null,
        pending: { plan_id: created.plan_id, source: { action: 'create' } },
      },
    });
    expect(res.headers.get('x-cloud-resource-version')).toBe('0');
    expect((await h.call('GET', '/api/v1/deployments/0000000000000000')).status).toBe(404);
  });

  it('updates with optimistic concurrency and refuses a stale version with 409', async () => {
    const created = (await h.call('POST', '/api/v1/deployments', etcdRequest('upd'))).body;
    const grown = { ...etcdRequest('upd-renamed', 5) };
    const ok = await h.call('PUT', `/api/v1/deployments/${created.id}?version=0`, grown);
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ id: created.id, version: 1, name: 'upd-renamed' });
    expect(ok.headers.get('x-cloud-resource-version')).toBe('1');
    const pending = parseDocument('plan', (await h.zk.get(paths.planPending(created.id))).data);
    expect(pending).toMatchObject({ plan_id: ok.body.plan_id, source: { action: 'update' } });
    expect((pending.resources as any).etcd[0].plan.cluster_topology[0].zone_count).toBe(5);

    const before = await dumpTree(h.zk);
    const stale = await h.call('PUT', `/api/v1/deployments/${created.id}?version=0`, etcdRequest('upd', 1));
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({
      code: 'WHARF_VERSION_CONFLICT',
      details: [{ path: 'version' }],
    });
    expect(await dumpTree(h.zk)).toEqual(before);

    // Without ?version= the write is still conditional (on the version just read) and succeeds.
    const unconditional = await h.call('PUT', `/api/v1/deployments/${created.id}`, etcdRequest('upd', 3));
    expect(unconditional.status).toBe(202);
    expect(unconditional.body.version).toBe(2);
  });

  it('serialises concurrent unconditional updates: each gets its own version, none is lost', async () => {
    const created = (await h.call('POST', '/api/v1/deployments', etcdRequest('busy'))).body;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((zones) =>
        h.call('PUT', `/api/v1/deployments/${created.id}`, etcdRequest(`busy-${zones}`, zones)),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(results.map((r) => r.body.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const last = results.find((r) => r.body.version === 5)!;
    const shown = (await h.call('GET', `/api/v1/deployments/${created.id}`)).body;
    expect(shown).toMatchObject({
      version: 5,
      name: last.body.name,
      plan: { pending: { plan_id: last.body.plan_id } },
    });
  });

  it('keeps resources a PUT leaves out unless prune_orphans is true', async () => {
    const request = etcdRequest('orphans');
    request.resources.http = [httpResource('web')];
    const created = (await h.call('POST', '/api/v1/deployments', request)).body;
    await h.call('PUT', `/api/v1/deployments/${created.id}`, etcdRequest('orphans', 1));
    let pending = (await h.call('GET', `/api/v1/deployments/${created.id}/plan`)).body.pending;
    expect(pending.resources.http).toHaveLength(1);
    await h.call('PUT', `/api/v1/deployments/${created.id}`, {
      ...etcdRequest('orphans', 1),
      prune_orphans: true,
    });
    pending = (await h.call('GET', `/api/v1/deployments/${created.id}/plan`)).body.pending;
    expect(pending.resources.http).toBeUndefined();
  });

  it('delete sets deleting and writes a shutdown plan; it is idempotent; updates are then refused', async () => {
    const created = (await h.call('POST', '/api/v1/deployments', etcdRequest('doomed'))).body;
    const res = await h.call('DELETE', `/api/v1/deployments/${created.id}`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: created.id, deleting: true, version: 1 });
    const record = parseDocument('deployment', (await h.zk.get(paths.deployment(created.id))).data);
    expect(record.deleting).toBe(true);
    const pending = parseDocument('plan', (await h.zk.get(paths.planPending(created.id))).data);
    expect(pending).toMatchObject({ shutdown: true, resources: {}, source: { action: 'delete' } });

    const before = await dumpTree(h.zk);
    const again = await h.call('DELETE', `/api/v1/deployments/${created.id}`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ deleting: true, plan_id: pending.plan_id });
    expect(await dumpTree(h.zk)).toEqual(before);

    const update = await h.call('PUT', `/api/v1/deployments/${created.id}`, etcdRequest('doomed'));
    expect(update.status).toBe(409);
    expect(update.body.error.code).toBe('WHARF_CONFLICT');
    expect((await h.call('GET', `/api/v1/deployments/${created.id}`)).body.status).toBe('deleting');
    expect((await h.call('DELETE', '/api/v1/deployments/0000000000000000')).status).toBe(404);
  });

  it('_restart writes a rolling plan that replaces every instance; refused once deleting', async () => {
    const created = (await h.call('POST', '/api/v1/deployments', etcdRequest('restarted'))).body;
    const res = await h.call('POST', `/api/v1/deployments/${created.id}/_restart?group_by=logical_zone_name`);
    expect(res.status).toBe(202);
    const pending = parseDocument('plan', (await h.zk.get(paths.planPending(created.id))).data);
    expect(res.body.plan_id).toBe(pending.plan_id);
    expect(pending.source.action).toBe('restart');
    const transient = (pending.resources as any).etcd[0].plan.transient;
    expect(transient).toEqual({
      strategy: { rolling: { group_by: 'logical_zone_name' } },
      plan_configuration: { timeout: 300, reallocate_instances: true },
    });
    expect((pending.resources as any).etcd[0].plan.cluster_topology).toEqual(
      etcdRequest().resources.etcd[0].plan.cluster_topology,
    );
    const byDefault = await h.call('POST', `/api/v1/deployments/${created.id}/_restart`);
    expect(byDefault.status).toBe(202);
    const again = parseDocument('plan', (await h.zk.get(paths.planPending(created.id))).data);
    expect((again.resources as any).etcd[0].plan.transient.strategy).toEqual({
      rolling: { group_by: '__name__' },
    });

    await h.call('DELETE', `/api/v1/deployments/${created.id}`);
    const before = await dumpTree(h.zk);
    const refused = await h.call('POST', `/api/v1/deployments/${created.id}/_restart`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details[0].path).toBe('id');
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('cancels a pending plan, and answers 404 when none is pending', async () => {
    const created = (await h.call('POST', '/api/v1/deployments', etcdRequest('cancel'))).body;
    const res = await h.call('DELETE', `/api/v1/deployments/${created.id}/plan/pending`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: created.id, cancelled: { plan_id: created.plan_id, action: 'create' } });
    expect(await h.zk.exists(paths.planPending(created.id))).toBeNull();
    expect((await h.call('GET', `/api/v1/deployments/${created.id}/plan`)).body).toEqual({
      pending: null,
      current: null,
    });
    const none = await h.call('DELETE', `/api/v1/deployments/${created.id}/plan/pending`);
    expect(none.status).toBe(404);
    expect(none.body.error.details[0].path).toBe('pending');
    const listed = (await h.call('GET', '/api/v1/deployments?size=100')).body.deployments.find(
      (d: any) => d.id === created.id,
    );
    expect(listed.status).toBe('inactive');
  });

  // Another service's bad data never breaks the api: skipped, logged once per znode state.
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
