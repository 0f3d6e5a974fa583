/**
 * The api in secure mode: mutual TLS to a TLS-only ZooKeeper with an `api` certificate. It boots
 * (root nodes, first API key) and creates a deployment through REST, and what it wrote carries the
 * role ACLs: a proxy certificate reads the plan but cannot rewrite it (ZooKeeper NoAuth).
 */
import { paths } from '@wharf/model';
import { ZkSession } from '@wharf/zk';
import { useApiHarness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';

jest.setTimeout(30_000);

describe('api with mutual TLS and ACLs by role', () => {
  const { h, server } = useApiHarness('/api-secure', { secureZk: true });

  it('creates a deployment whose plan a proxy certificate can read but not write', async () => {
    const res = await h.call('POST', '/api/v1/deployments', etcdRequest('orders'));
    expect(res.status).toBe(201);
    const id: string = res.body.id;

    const { acl } = await h.zk.getAcl(paths.planPending(id));
    expect(acl.map((e) => `${e.scheme}:${e.id}`)).toEqual(
      expect.arrayContaining(['x509:OU=api,O=Wharf', 'x509:OU=constructor,O=Wharf', 'x509:O=Wharf']),
    );
    expect(acl.map((e) => e.scheme)).not.toContain('world');

    const proxy = new ZkSession({
      connectString: server.connectString,
      chroot: '/api-secure',
      tls: await server.tls!.client({ hostId: 'proxy-host', role: 'proxy' }),
    });
    try {
      await proxy.start();
      const pending = await proxy.get(paths.planPending(id));
      await expect(proxy.set(paths.planPending(id), '{}', pending.stat.version)).rejects.toMatchObject({
        code: 'WHARF_ZK_NO_AUTH',
      });
      await expect(proxy.create(paths.deployment('d-forged'), '{}')).rejects.toMatchObject({
        code: 'WHARF_ZK_NO_AUTH',
      });
    } finally {
      await proxy.close();
    }
    expect((await h.call('GET', `/api/v1/deployments/${id}`)).status).toBe(200);
  });
});
