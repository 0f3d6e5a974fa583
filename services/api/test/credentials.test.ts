/**
 * The credentials an etcd create answers with, against a real ZooKeeper: derived (nothing of
 * them stored), the same on a `request_id` replay, none for http resources or with
 * `authentication: false`; the reset route's bad input answers 4xx and writes nothing. (The
 * passwords working against etcd is `test/credentials.test.ts`, end to end.)
 */
import { initialRootPassword, loadPlatformSecret } from '@wharf/stacks';
import { etcdRequest, httpResource } from './helpers/plans';
import { useApiHarness } from './helpers/harness';
import { dumpTree } from './helpers/tree';

describe('etcd credentials in the API', () => {
  const { h } = useApiHarness('/api-credentials');

  it('answers a create with root credentials derived from the platform secret, and stores none', async () => {
    const path = '/api/v1/deployments?request_id=creds-0123456789abcdef0123456789abcdef';
    const res = await h.call('POST', path, etcdRequest('secure'));
    expect(res.status).toBe(201);
    const { id, plan_id: planId } = res.body;
    const secret = await loadPlatformSecret(h.home.path);
    const password = initialRootPassword(secret, id, 'main', planId);
    expect(res.body.resources).toEqual([
      { kind: 'etcd', ref_id: 'main', credentials: { username: 'root', password } },
    ]);
    // A replay (the client lost the 201) gets the same password; nothing holds it in ZooKeeper.
    const again = await h.call('POST', path, etcdRequest('secure'));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(JSON.stringify(await dumpTree(h.zk))).not.toContain(password);
  });

  it('gives no credentials to http resources or to etcd with authentication off', async () => {
    const open = etcdRequest('open');
    open.resources.etcd[0].plan.etcd.user_settings = { authentication: false };
    const res = await h.call('POST', '/api/v1/deployments', open);
    expect(res.status).toBe(201);
    expect(res.body.resources[0].credentials).toBeUndefined();
    const http = await h.call('POST', '/api/v1/deployments', {
      name: 'web',
      resources: { http: [httpResource('web')] },
    });
    expect(http.status).toBe(201);
    expect(http.body.resources[0].credentials).toBeUndefined();
  });

  it('refuses a non-boolean authentication setting, naming it', async () => {
    const bad = etcdRequest('bad');
    bad.resources.etcd[0].plan.etcd.user_settings = { authentication: 'yes' };
    const res = await h.call('POST', '/api/v1/deployments', bad);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('authentication');
  });

  it('answers a reset of a bad ref_id or an unknown resource with 4xx, writing nothing', async () => {
    const created = await h.call('POST', '/api/v1/deployments', etcdRequest('target'));
    const before = await dumpTree(h.zk);
    const invalid = await h.call(
      'POST',
      `/api/v1/deployments/${created.body.id}/etcd/Not_An_Id/credentials/_reset`,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].path).toBe('ref_id');
    const unknown = await h.call(
      'POST',
      `/api/v1/deployments/${created.body.id}/etcd/other/credentials/_reset`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details[0].path).toBe('ref_id');
    expect(await dumpTree(h.zk)).toEqual(before);
  });
});
