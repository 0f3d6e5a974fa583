import { type HostLive } from '@wharf/model';
import { liveServiceRecords } from './simulated-hosts';

const host = { id: 'host-2', address: '127.0.0.2', zone: 'zone-b', roles: ['proxy' as const] };
const live: HostLive = {
  schema_version: 1,
  pid: 10,
  updated: '2026-11-22T00:00:00.000Z',
  services: [
    { service: 'proxy', id: 'proxy-host-2', state: 'running', pid: 42, port: 9201, restarts: 1 },
    { service: 'api', id: 'api-host-2', state: 'backing-off', restarts: 3 },
  ],
};

describe('liveServiceRecords', () => {
  it('lists the services with a pid, on their host, with their log file', () => {
    expect(liveServiceRecords(live, host, { home: '/h', mode: 'process' })).toEqual([
      {
        id: 'proxy-host-2',
        service: 'proxy',
        pid: 42,
        host: 'host-2',
        address: '127.0.0.2',
        port: 9201,
        log: '/h/hosts/host-2/logs/proxy-host-2.log',
        zone: 'zone-b',
        command_match: 'proxy/dist/main.js',
        restarts: 1,
      },
    ]);
  });

  it("matches a container's main process by the image's relative entry point", () => {
    const [record] = liveServiceRecords(
      live,
      { ...host, address: '127.0.0.1' },
      { home: '/h', mode: 'docker' },
    );
    expect(record).toMatchObject({ command_match: 'dist/main.js' });
    expect(record).not.toHaveProperty('address');
  });
});
