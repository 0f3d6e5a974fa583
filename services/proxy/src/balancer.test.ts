import { ManualClock, instance, routeEntry } from '../test/fixtures';
import { Balancer } from './balancer';
import { buildRouteTable, type Route } from './route-table';

function route(instances: Parameters<typeof routeEntry>[1], zone?: string): Route {
  const entry = routeEntry('dep1', instances);
  return buildRouteTable([{ name: 'dep1', data: JSON.stringify(entry) }], { zone }).table.routes.get('dep1')!;
}

const down = (id: string) => ({ instanceId: id, host: '127.0.0.1', port: 20000, since: 0 });

const picks = (balancer: Balancer, r: Route, n: number, exclude?: Set<string>): (string | undefined)[] =>
  Array.from({ length: n }, () => balancer.pick(r, exclude)?.instanceId);

describe('Balancer', () => {
  it('rotates round robin over the healthy instances in order', () => {
    const r = route([instance('a'), instance('b', { healthy: false }), instance('c'), instance('d')]);
    expect(picks(new Balancer(), r, 7)).toEqual(['a', 'c', 'd', 'a', 'c', 'd', 'a']);
  });

  it('keeps one rotation per deployment, across table rebuilds', () => {
    const balancer = new Balancer();
    const first = route([instance('a'), instance('b')]);
    expect(balancer.pick(first)?.instanceId).toBe('a');
    const rebuilt = route([instance('a'), instance('b')]);
    expect(balancer.pick(rebuilt)?.instanceId).toBe('b');
  });

  it('uses only the same-zone tier while it has instances', () => {
    const r = route(
      [instance('a', { zone: 'z1' }), instance('b', { zone: 'z2' }), instance('c', { zone: 'z2' })],
      'z2',
    );
    expect(picks(new Balancer(), r, 4)).toEqual(['b', 'c', 'b', 'c']);
  });

  it('returns undefined for a deployment with no healthy instance', () => {
    expect(new Balancer().pick(route([instance('a', { healthy: false })]))).toBeUndefined();
  });

  it('skips excluded instances, falling back to the next tier', () => {
    const r = route([instance('a', { zone: 'z1' }), instance('b', { zone: 'z2' })], 'z1');
    const balancer = new Balancer();
    expect(picks(balancer, r, 2, new Set(['a']))).toEqual(['b', 'b']);
    expect(balancer.pick(r, new Set(['a', 'b']))).toBeUndefined();
  });

  it('skips a down instance until it is marked up (no cooldown: a health check decides)', () => {
    const clock = new ManualClock();
    const balancer = new Balancer();
    const r = route([instance('a'), instance('b'), instance('c')]);
    balancer.health.markDown(down('b'));
    expect(new Set(picks(balancer, r, 6))).toEqual(new Set(['a', 'c']));
    clock.advance(60_000);
    expect(new Set(picks(balancer, r, 6))).toEqual(new Set(['a', 'c']));
    balancer.health.markUp('b');
    expect(new Set(picks(balancer, r, 6))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('prefers another zone over a down same-zone instance', () => {
    const balancer = new Balancer();
    const r = route([instance('a', { zone: 'z1' }), instance('b', { zone: 'z2' })], 'z1');
    balancer.health.markDown(down('a'));
    expect(picks(balancer, r, 3)).toEqual(['b', 'b', 'b']);
  });

  it('fails open when every instance is down', () => {
    const balancer = new Balancer();
    const r = route([instance('a'), instance('b')]);
    balancer.health.markDown(down('a'));
    balancer.health.markDown(down('b'));
    expect(new Set(picks(balancer, r, 4))).toEqual(new Set(['a', 'b']));
    expect(balancer.health.size).toBe(2);
  });

  it('forgets cursors of deployments that left the table', () => {
    const balancer = new Balancer();
    const r = route([instance('a'), instance('b')]);
    balancer.pick(r);
    balancer.retain(new Map());
    expect(balancer.pick(r)?.instanceId).toBe('a');
  });
});
