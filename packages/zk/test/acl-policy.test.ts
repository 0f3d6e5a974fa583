import { useZooKeeper } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';

// One TLS-only server (ssl.clientAuth=need) with Wharf's x509 provider: ACL ids match a
// certificate exactly (CN=…,OU=…,O=Wharf) or by role (OU=…,O=Wharf). Sessions over TLS create
// every node with the role policy's ACL (zk-acl-policy.ts) without being asked to.
const zk = useZooKeeper({ tls: true });

const API_1 = { hostId: 'host-1', role: 'api' };
const API_2 = { hostId: 'host-2', role: 'api' };
const CONSTRUCTOR = { hostId: 'host-3', role: 'constructor' };
const PROXY_A = { hostId: 'host-4', role: 'proxy' };
const PROXY_B = { hostId: 'host-5', role: 'proxy' };

async function as(identity: { hostId: string; role: string }): Promise<ZkSession> {
  return zk.session({ tls: await zk.zk.tls!.client(identity) });
}

const NO_AUTH = { code: 'WHARF_ZK_NO_AUTH', status: 403 };

describe('ZooKeeper ACLs by role (mutual TLS, x509)', () => {
  test('only api and constructor certificates write deployments and plans', async () => {
    const api = await as(API_1);
    await api.mkdirp('/deployments/d1/plan');
    await api.create('/deployments/d1/plan/pending', '{"v":1}');
    const { acl } = await api.getAcl('/deployments/d1/plan/pending');
    expect(acl.map((e) => e.scheme)).not.toContain('world'); // world has nothing

    // Another api host and a constructor write through the role-wide entries.
    await (await as(API_2)).set('/deployments/d1/plan/pending', '{"v":2}', -1);
    const constructor = await as(CONSTRUCTOR);
    await constructor.create('/deployments/d1/plan/attempt', '{}');

    const proxy = await as(PROXY_A);
    expect((await proxy.get('/deployments/d1/plan/pending')).data.toString()).toBe('{"v":2}');
    await expect(proxy.set('/deployments/d1/plan/pending', '{"v":"evil"}', -1)).rejects.toMatchObject(
      NO_AUTH,
    );
    await expect(proxy.create('/deployments/d2', '{}')).rejects.toMatchObject(NO_AUTH);
    await expect(proxy.create('/deployments/d1/plan/current', '{}')).rejects.toMatchObject(NO_AUTH);
    await expect(proxy.delete('/deployments/d1/plan/attempt')).rejects.toMatchObject(NO_AUTH);
    expect((await api.get('/deployments/d1/plan/pending')).data.toString()).toBe('{"v":2}');
  }, 30_000);

  test('a proxy writes only its own registration and reads routes', async () => {
    const constructor = await as(CONSTRUCTOR);
    await constructor.mkdirp('/routes');
    await constructor.create('/routes/d1', '{"instances":[]}');

    const a = await as(PROXY_A);
    const b = await as(PROXY_B);
    await a.registerEphemeral('/proxies/proxy-a', '{"stats":1}');
    await b.registerEphemeral('/proxies/proxy-b', '{"stats":1}');
    await a.set('/proxies/proxy-a', '{"stats":2}', -1);
    await expect(b.set('/proxies/proxy-a', '{"stats":0}', -1)).rejects.toMatchObject(NO_AUTH);
    expect((await b.get('/routes/d1')).data.toString()).toBe('{"instances":[]}');
    await expect(a.set('/routes/d1', '{"instances":["evil"]}', -1)).rejects.toMatchObject(NO_AUTH);
  }, 30_000);

  test('specs and api secrets are not readable by other roles', async () => {
    const allocator = await as({ hostId: 'host-6', role: 'allocator' });
    await allocator.mkdirp('/allocators/a1'); // its advertisement
    const constructor = await as(CONSTRUCTOR);
    await constructor.mkdirp('/allocators/a1/instances');
    await constructor.create('/allocators/a1/instances/i1', '{"spec":1}');
    expect((await allocator.get('/allocators/a1/instances/i1')).data.toString()).toBe('{"spec":1}');
    const proxy = await as(PROXY_A);
    await expect(proxy.get('/allocators/a1/instances/i1')).rejects.toMatchObject(NO_AUTH);

    const api = await as(API_1);
    await api.mkdirp('/platform/security/api-keys');
    await api.create('/platform/security/api-keys/k1', '{"hash":"…"}');
    await expect(proxy.get('/platform/security/api-keys/k1')).rejects.toMatchObject(NO_AUTH);
    expect((await (await as(API_2)).get('/platform/security/api-keys/k1')).data.toString()).toContain('hash');
  }, 30_000);
});
