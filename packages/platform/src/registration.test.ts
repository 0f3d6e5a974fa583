import { missingRegistrations } from './registration';

const expected = { allocators: 3, constructors: 2, proxies: 2 };
const body = (allocators: number, alive: number, leader: string | null, proxies: number) => ({
  zookeeper: { state: 'connected' },
  constructors: { leader, alive },
  allocators: { total: 3, connected: allocators, maintenance: 0 },
  proxies: { total: proxies },
});

describe('missingRegistrations', () => {
  it('is empty once everything registered', () => {
    expect(missingRegistrations(body(3, 2, 'constructor-1', 2), expected)).toEqual([]);
  });

  it('names everything that has not registered yet', () => {
    expect(missingRegistrations(body(1, 1, null, 0), expected)).toEqual([
      'allocators: 1/3 connected',
      'constructors: 1/2 alive',
      'constructors: no leader',
      'proxies: 0/2 registered',
    ]);
  });

  it('cannot tell from an answer of another shape', () => {
    expect(missingRegistrations({ version: '1' }, expected)).toBeUndefined();
    expect(missingRegistrations('nope', expected)).toBeUndefined();
  });
});
