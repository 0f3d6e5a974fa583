import { buildRouteTable, type RouteTable } from '../route-table';
import { serializeDocument, type RouteEntry } from '@wharf/model';
import { instance, routeEntry } from '../../test/fixtures';
import { planSync, renderCommand, type Programmed } from './sync-plan';

function table(entries: RouteEntry[], zone = 'zone-a'): RouteTable {
  const docs = entries.map((e) => ({ name: e.deployment_id, data: serializeDocument('route', e) }));
  return buildRouteTable(docs, { zone }).table;
}

const EMPTY: Programmed = new Map();

describe('planSync', () => {
  it('adds servers, makes them ready, then maps the deployment to a free slot', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1', { port: 20001 })])]),
      EMPTY,
      'localhost',
      2,
    );
    expect(plan.commands.map((c) => c.op)).toEqual(['add-server', 'ready', 'add-map']);
    expect(plan.next.get('alpha')?.slot).toBe('d0');
    expect(plan.commands.flatMap((c) => renderCommand(c, '/run/routes.map'))).toEqual([
      'add server d0/a1 127.0.0.1:20001',
      'set server d0/a1 state ready',
      'add map /run/routes.map alpha.localhost d0',
    ]);
  });

  it('moves, adds and removes servers of a programmed deployment without touching its map entry', () => {
    const first = planSync(
      table([routeEntry('alpha', [instance('a1'), instance('a2', { port: 20002 })])]),
      EMPTY,
      'localhost',
      2,
    );
    const second = planSync(
      table([routeEntry('alpha', [instance('a1', { port: 21001 }), instance('a3')])]),
      first.next,
      'localhost',
      2,
    );
    expect(second.commands).toEqual([
      { op: 'set-addr', slot: 'd0', server: 'a1', target: { host: '127.0.0.1', port: 21001, backup: false } },
      {
        op: 'add-server',
        slot: 'd0',
        server: 'a3',
        target: { host: '127.0.0.1', port: 20000, backup: false },
      },
      { op: 'ready', slot: 'd0', server: 'a3' },
      { op: 'remove', slot: 'd0', server: 'a2' },
    ]);
  });

  it('unmaps first and frees the slot of a deployment that is gone, shut down or without healthy instances', () => {
    const first = planSync(
      table([routeEntry('alpha', [instance('a1')]), routeEntry('beta', [instance('b1')])]),
      EMPTY,
      'localhost',
      4,
    );
    const beta = { ...routeEntry('beta', [instance('b1')]), shutdown: true };
    const second = planSync(
      table([routeEntry('alpha', [instance('a1', { healthy: false })]), beta]),
      first.next,
      'localhost',
      4,
    );
    expect(second.commands.map((c) => c.op)).toEqual(['del-map', 'remove', 'del-map', 'remove']);
    expect(second.next.size).toBe(0);
    const third = planSync(table([routeEntry('gamma', [instance('g1')])]), second.next, 'localhost', 4);
    expect(third.next.get('gamma')?.slot).toBe('d0');
  });

  it('makes other-zone instances backup servers', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1'), instance('a2', { zone: 'zone-b' })])]),
      EMPTY,
      'wharf.test',
      1,
    );
    expect(plan.commands.flatMap((c) => renderCommand(c, '/m'))).toContain(
      'add server d0/a2 127.0.0.1:20000 backup',
    );
  });

  it('leaves deployments past the slot pool to the Node proxy', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1')]), routeEntry('beta', [instance('b1')])]),
      EMPTY,
      'localhost',
      1,
    );
    expect(plan.next.size).toBe(1);
    expect(plan.unplaced).toHaveLength(1);
  });

  it('never writes an address that could smuggle a second runtime API command', () => {
    const plan = planSync(
      table([routeEntry('alpha', [instance('a1', { host: '127.0.0.1;del map x' })])]),
      EMPTY,
      'localhost',
      1,
    );
    expect(plan.commands).toEqual([]);
  });
});
