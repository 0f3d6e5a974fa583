import { type ProcessRecord } from '@wharf/platform';
import { healthUrlOf } from './status';

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
