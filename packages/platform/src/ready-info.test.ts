import { type ReadyInfo, formatReadyInfo } from './ready-info';

const info: ReadyInfo = {
  home: '/h',
  apiUrl: 'http://127.0.0.1:12400/api/v1',
  proxyUrls: ['http://<deployment-id>.localhost:9200', 'http://<deployment-id>.localhost:9201'],
  zookeeper: { connectString: '127.0.0.1:2181', embedded: true },
  processes: 9,
  hosts: [
    { id: 'host-1', address: '127.0.0.1', zone: 'zone-a', roles: ['coordinator', 'proxy', 'allocator'] },
    { id: 'host-3', address: '127.0.0.3', zone: 'zone-c', roles: ['allocator'] },
  ],
  mode: 'process',
  logsDir: '/h/logs',
  apiKeyFile: '/h/credentials/api-key',
  examplePlan: '/repo/deploy/examples/etcd-3-zones.json',
  detached: false,
};

describe('formatReadyInfo', () => {
  it('shows a key created by this start, once', () => {
    const text = formatReadyInfo({ ...info, newApiKey: 'k-123' }).join('\n');
    expect(text).toContain('API key   k-123');
    expect(text).toContain('http://127.0.0.1:12400/api/v1');
    expect(text).toContain('http://<deployment-id>.localhost:9201');
    expect(text).not.toContain('Console');
    expect(text).toContain('Press Ctrl-C');
  });

  it('lists every simulated host with its address, zone and roles', () => {
    const lines = formatReadyInfo(info);
    expect(lines[0]).toContain('2 hosts, services as processes');
    expect(lines).toContain('  host-1    127.0.0.1  zone-a  coordinator, proxy, allocator');
    expect(lines).toContain('  host-3    127.0.0.3  zone-c  allocator');
    expect(formatReadyInfo({ ...info, mode: 'docker' })[0]).toContain('services as containers');
  });

  it('secure mode: the API over HTTPS, the CA file to trust, and a curl that uses it', () => {
    const hosts = [{ ...info.hosts[0]!, roles: ['coordinator', 'director'] }, info.hosts[1]!];
    const secure = formatReadyInfo({
      ...info,
      hosts,
      apiUrl: 'https://127.0.0.1:12400/api/v1',
      zookeeper: { ...info.zookeeper, tls: true },
    });
    expect(secure).toContain('  API CA    /h/hosts/host-1/ca/ca.pem');
    expect(secure.join('\n')).toContain(
      'curl -s --cacert /h/hosts/host-1/ca/ca.pem -X POST https://127.0.0.1:12400',
    );
    expect(secure.find((l) => l.startsWith('  Trust'))).toContain('; API over HTTPS');
    expect(formatReadyInfo(info).join('\n')).not.toContain('cacert');
  });

  it('says whether ZooKeeper is plaintext or mutual TLS', () => {
    expect(formatReadyInfo(info)).toContain(
      '  Trust     ZooKeeper plaintext on loopback, open ACLs (wharf up --secure for mutual TLS)',
    );
    const secure = formatReadyInfo({ ...info, zookeeper: { ...info.zookeeper, tls: true } });
    expect(secure).toContain('  Trust     ZooKeeper mutual TLS: a certificate per service, ACLs by role');
  });

  it('says who runs ZooKeeper, in one line of its own when no director does', () => {
    const owned = (owner: 'directors' | 'wharf-up' | 'external', embedded = true) =>
      formatReadyInfo({ ...info, zookeeper: { ...info.zookeeper, owner, embedded } });
    const director = { ...info.hosts[0]!, roles: ['coordinator', 'director'] };
    const one = formatReadyInfo({
      ...info,
      hosts: [director],
      zookeeper: { ...info.zookeeper, owner: 'directors' },
    });
    expect(one[0]).toContain('ZooKeeper run by the director (a quorum of one) at 127.0.0.1:2181');
    expect(owned('external', false)[0]).toContain('ZooKeeper external at 127.0.0.1:2181');
    const none = owned('wharf-up');
    expect(none[0]).toContain('ZooKeeper embedded at');
    expect(none.filter((l) => l.includes('run by wharf up itself'))).toEqual([
      '  ZooKeeper run by wharf up itself: no director (--directors 0), no quorum checks',
    ]);
    expect(one.join('\n')).not.toContain('run by wharf up itself');
  });

  it('only says where an existing key is stored', () => {
    const text = formatReadyInfo(info).join('\n');
    expect(text).toContain('API key   stored in /h/credentials/api-key');
    expect(text).not.toContain('k-123');
  });

  it('suggests a curl create with the stored key and the example plan', () => {
    const text = formatReadyInfo({ ...info, detached: true }).join('\n');
    expect(text).toContain('curl -s -X POST http://127.0.0.1:12400/api/v1/deployments');
    expect(text).toContain('Authorization: ApiKey $(cat /h/credentials/api-key)');
    expect(text).toContain('-d @/repo/deploy/examples/etcd-3-zones.json');
    expect(text).toContain('stop it with: npx wharf down');
    expect(text).toContain(
      'or: npx wharf deployment create -f /repo/deploy/examples/etcd-3-zones.json --track',
    );
  });
});
