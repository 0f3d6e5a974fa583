import { serializeDocument, type RouteEntry } from '@wharf/model';
import { instance, routeEntry } from '../../test/fixtures';
import { buildRouteTable, type RouteTable } from '../route-table';
import { planSync, renderCommand, type Programmed, type SyncCommand } from './sync-plan';

function table(entries: RouteEntry[], zone = 'zone-a'): RouteTable {
  const docs = entries.map((e) => ({ name: e.deployment_id, data: serializeDocument('route', e) }));
  return buildRouteTable(docs, { zone }).table;
}

const EMPTY: Programmed = new Map();
const SHAPE = { slots: 2, serversPerTier: 2 };
const MAPS = { routes: '/run/routes.map', servers: '/run/servers.map' };
const lines = (commands: readonly SyncCommand[]): string[] => commands.flatMap((c) => renderCommand(c, MAPS));

describe('planSync', () => {
  it('takes a server, names it, makes it ready, then maps the deployment to a free slot', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1', { port: 20001 })])]),
      EMPTY,
      'localhost',
      SHAPE,
    );
    expect(lines(plan.commands)).toEqual([
      'set server d0/s1 addr 127.0.0.1 port 20001',
      'set map /run/servers.map d0/s1 a1',
      'set server d0/s1 state ready',
      'add map /run/routes.map alpha.localhost d0',
    ]);
    expect(plan.next.get('alpha')?.slot).toBe('d0');
  });

  it('moves, adds and releases servers of a programmed deployment without touching its map entry', () => {
    const first = planSync(
      table([routeEntry('alpha', [instance('a1'), instance('a2', { port: 20002 })])]),
      EMPTY,
      'localhost',
      SHAPE,
    );
    const second = planSync(
      table([routeEntry('alpha', [instance('a1', { port: 21001 }), instance('a3')])]),
      first.next,
      'localhost',
      { slots: 2, serversPerTier: 3 },
    );
    expect(lines(second.commands)).toEqual([
      'set server d0/s1 addr 127.0.0.1 port 21001',
      // a2's server is released after the take, so a3 takes a fresh one.
      'set server d0/s3 addr 127.0.0.1 port 20000',
      'set map /run/servers.map d0/s3 a3',
      'set server d0/s3 state ready',
      'set server d0/s2 state maint',
      'shutdown sessions server d0/s2',
      'set map /run/servers.map d0/s2 -',
    ]);
  });

  it('unmaps first and frees the slot of a deployment that is gone, shut down or without healthy instances', () => {
    const first = planSync(
      table([routeEntry('alpha', [instance('a1')]), routeEntry('beta', [instance('b1')])]),
      EMPTY,
      'localhost',
      SHAPE,
    );
    const beta = { ...routeEntry('beta', [instance('b1')]), shutdown: true };
    const second = planSync(
      table([routeEntry('alpha', [instance('a1', { healthy: false })]), beta]),
      first.next,
      'localhost',
      SHAPE,
    );
    expect(second.commands.map((c) => c.op)).toEqual(['del-map', 'release', 'del-map', 'release']);
    expect(second.next.size).toBe(0);
    const third = planSync(table([routeEntry('gamma', [instance('g1')])]), second.next, 'localhost', SHAPE);
    expect(third.next.get('gamma')?.slot).toBe('d0');
  });

  it('puts other-zone instances on backup servers', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1'), instance('a2', { zone: 'zone-b' })])]),
      EMPTY,
      'wharf.test',
      SHAPE,
    );
    expect(lines(plan.commands)).toContain('set map /run/servers.map d0/b1 a2');
  });

  it('leaves deployments past the slot pool to the Node proxy and instances past a tier out', () => {
    const entries = ['alpha', 'beta', 'gamma'].map((d) =>
      routeEntry(d, [instance(`${d}-1`), instance(`${d}-2`)]),
    );
    const plan = planSync(table(entries), EMPTY, 'localhost', { slots: 2, serversPerTier: 1 });
    expect(plan.next.size).toBe(2);
    expect(plan.unplaced).toEqual(['gamma']);
    expect(plan.droppedInstances).toBe(2);
  });

  it('never writes an address that could smuggle a second runtime API command', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1', { host: '127.0.0.1;del map x' })])]),
      EMPTY,
      'localhost',
      SHAPE,
    );
    expect(plan.commands).toEqual([]);
  });
});
