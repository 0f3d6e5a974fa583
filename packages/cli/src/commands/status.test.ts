import { type ProcessRecord } from '@wharf/platform';
import { healthUrlOf, quorumLines, summarise } from './status';

const rec = (service: ProcessRecord['service'], extra: Partial<ProcessRecord> = {}): ProcessRecord => ({
  id: `${service}-host-2`,
  service,
  pid: 1234,
  ...extra,
});
const platform = {
  services: {
    allocator: [{ id: 'allocator-host-2', address: '127.0.0.2', port: 41001 }],
    constructor: [{ id: 'constructor-host-1', address: '127.0.0.1', port: 41002 }],
    director: [{ id: 'director-host-2', address: '127.0.0.2', port: 41003 }],
  },
};

test('api and proxy are probed on their client ports, at their own health paths', () => {
  expect(healthUrlOf(rec('api', { port: 9200 }), undefined)).toBe('http://127.0.0.1:9200/api/v1/health');
  expect(healthUrlOf(rec('proxy', { port: 9300, address: '127.0.0.2' }), undefined)).toBe(
    'http://127.0.0.2:9300/_health',
  );
});

test('constructor and allocator are probed on the observability port they registered', () => {
  expect(healthUrlOf(rec('allocator'), platform)).toBe('http://127.0.0.1:41001/health');
  expect(healthUrlOf(rec('director'), platform)).toBe('http://127.0.0.1:41003/health');
  expect(healthUrlOf(rec('constructor'), platform)).toBeUndefined(); // constructor-host-2 did not register
  expect(healthUrlOf(rec('allocator'), undefined)).toBeUndefined();
  expect(healthUrlOf(rec('allocator'), { services: { allocator: 'nonsense' } })).toBeUndefined();
});

test('a recorded health URL wins; ZooKeeper has none', () => {
  expect(healthUrlOf(rec('runner', { health_url: 'http://127.0.0.1:1/health' }), platform)).toBe(
    'http://127.0.0.1:1/health',
  );
  expect(healthUrlOf(rec('zookeeper', { port: 2181 }), platform)).toBeUndefined();
});

test('the quorum each director reports is summarised per server, and its absence is said', () => {
  expect(quorumLines([])).toEqual(['quorum: no director running (nobody checks the ZooKeeper quorum)']);
  const director = {
    id: 'director-host-1',
    enrol_address: '127.0.0.1:12500',
    ca_fingerprint: 'sha256:ab12',
    quorum: {
      healthy: false,
      checked: '2026-12-06T20:00:00.000Z',
      servers: [
        { address: '127.0.0.1:2181', mode: 'leader', zxid: '0x10000002a', zxid_lag: 0 },
        { address: '127.0.0.2:2181', mode: 'follower', zxid: '0x100000027', zxid_lag: 3 },
        { address: '127.0.0.3:2181', mode: 'unreachable' },
      ],
    },
  };
  expect(quorumLines([director])).toEqual([
    'director director-host-1: enrolment https://127.0.0.1:12500, CA sha256:ab12',
    'quorum: AT RISK, checked 2026-12-06T20:00:00.000Z',
    '  127.0.0.1:2181: leader zxid 0x10000002a, 0 behind',
    '  127.0.0.2:2181: follower zxid 0x100000027, 3 behind',
    '  127.0.0.3:2181: unreachable',
  ]);
  const lines = summarise({
    proxies: { total: 2 },
    directors: [{ ...director, quorum: { ...director.quorum, healthy: true } }],
  });
  expect(lines[0]).toBe('proxies: 2');
  expect(lines.slice(1, 3)).toEqual([
    'director director-host-1: enrolment https://127.0.0.1:12500, CA sha256:ab12',
    'quorum: healthy, checked 2026-12-06T20:00:00.000Z',
  ]);
});

test('with several directors the servers are listed once, from the freshest check; a dissenter is named', () => {
  const report = (id: string, checked: string, healthy: boolean) => ({
    id,
    enrol_address: `127.0.0.${id.slice(-1)}:12500`,
    ca_fingerprint: 'sha256:ab12',
    quorum: {
      healthy,
      checked,
      servers: [
        { address: '127.0.0.1:2181', mode: 'leader' },
        { address: '127.0.0.2:2181', mode: 'follower' },
      ],
    },
  });
  expect(
    quorumLines([
      report('director-host-1', '2026-12-06T20:00:01.000Z', true),
      report('director-host-2', '2026-12-06T20:00:03.000Z', true),
      report('director-host-3', '2026-12-06T20:00:02.000Z', false),
    ]),
  ).toEqual([
    'director director-host-1: enrolment https://127.0.0.1:12500, CA sha256:ab12',
    'director director-host-2: enrolment https://127.0.0.2:12500, CA sha256:ab12',
    'director director-host-3: enrolment https://127.0.0.3:12500, CA sha256:ab12',
    'quorum: healthy, checked 2026-12-06T20:00:03.000Z by director-host-2',
    '  127.0.0.1:2181: leader',
    '  127.0.0.2:2181: follower',
    '  director-host-3 says AT RISK (checked 2026-12-06T20:00:02.000Z)',
  ]);
});
