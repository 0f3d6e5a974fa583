import { instance, routeEntry } from '../test/fixtures';
import { InstanceHealth } from './instance-health';
import { buildRouteTable } from './route-table';

const down = (id: string, port = 20000) => ({ instanceId: id, host: '127.0.0.1', port, since: 1 });
const table = (...instances: ReturnType<typeof instance>[]) =>
  buildRouteTable([{ name: 'dep1', data: JSON.stringify(routeEntry('dep1', instances)) }]).table;

describe('InstanceHealth', () => {
  it('marks down and up once each, telling listeners', () => {
    const health = new InstanceHealth();
    const events: string[] = [];
    health.onChange((i, isDown) => events.push(`${i.instanceId}:${isDown ? 'down' : 'up'}`));
    expect(health.markDown(down('a'))).toBe(true);
    expect(health.markDown(down('a'))).toBe(false);
    expect(health.isDown('a')).toBe(true);
    expect(health.markUp('a')).toBe(true);
    expect(health.markUp('a')).toBe(false);
    expect(events).toEqual(['a:down', 'a:up']);
  });

  it('forgets instances that left the table or moved to another port', () => {
    const health = new InstanceHealth();
    health.markDown(down('a'));
    health.markDown(down('b'));
    health.markDown(down('c'));
    health.retain(table(instance('a'), instance('b', { port: 20001 })));
    expect(health.list().map((i) => i.instanceId)).toEqual(['a']);
  });
});
