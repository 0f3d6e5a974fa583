import { isWharfError } from '@wharf/model';
import { type PlatformRecord, parsePlatformRecord, platformFilePath } from './platform-file';

const valid: PlatformRecord = {
  schema_version: 1,
  home: '/h',
  started: '2025-01-01T00:00:00.000Z',
  supervisor_pid: 100,
  detached: true,
  zookeeper: { connect_string: '127.0.0.1:2181', embedded: true },
  api_url: 'http://127.0.0.1:12400',
  proxy_urls: ['http://<deployment-id>.localhost:9200'],
  services: [
    { id: 'zookeeper', service: 'zookeeper', pid: 101, port: 2181, command_match: 'QuorumPeerMain' },
    {
      id: 'allocator-1',
      service: 'allocator',
      pid: 102,
      metrics_port: 31000,
      health_url: 'http://127.0.0.1:31000/health',
      zone: 'zone-a',
      port_range: '20000-20999',
      capacity_mb: 4096,
      restarts: 0,
    },
  ],
};

function errorPath(text: string): string {
  try {
    parsePlatformRecord(text);
  } catch (err) {
    if (isWharfError(err, 'WHARF_VALIDATION')) return (err.details as { path: string }[])[0]!.path;
    throw err;
  }
  throw new Error('expected a validation error');
}

const mutate = (change: (doc: Record<string, any>) => void): string => {
  const doc = JSON.parse(JSON.stringify(valid));
  change(doc);
  return JSON.stringify(doc);
};

describe('platform.json', () => {
  it('lives under run/', () => {
    expect(platformFilePath('/h')).toBe('/h/run/platform.json');
  });

  it('parses what the supervisor writes', () => {
    expect(parsePlatformRecord(JSON.stringify(valid))).toEqual(valid);
  });

  it('names the first bad field', () => {
    expect(errorPath('{')).toBe('/');
    expect(errorPath(mutate((d) => (d.schema_version = 2)))).toBe('schema_version');
    expect(errorPath(mutate((d) => delete d.api_url))).toBe('api_url');
    expect(errorPath(mutate((d) => (d.services[1].pid = '102')))).toBe('services[1].pid');
    expect(errorPath(mutate((d) => (d.services[0].id = '../etc')))).toBe('services[0].id');
    expect(errorPath(mutate((d) => (d.services[0].service = 'shell')))).toBe('services[0].service');
    expect(errorPath(mutate((d) => (d.services[1].port_range = 5)))).toBe('services[1].port_range');
  });

  it('never accepts pids that would signal a whole session or every process', () => {
    expect(errorPath(mutate((d) => (d.supervisor_pid = 1)))).toBe('supervisor_pid');
    expect(errorPath(mutate((d) => (d.services[0].pid = 0)))).toBe('services[0].pid');
    expect(errorPath(mutate((d) => (d.services[0].pid = -5)))).toBe('services[0].pid');
  });
});
