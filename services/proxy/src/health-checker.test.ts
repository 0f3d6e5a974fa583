import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestLogger } from '@wharf/observability';
import { ManualClock } from '../test/fixtures';
import { HealthChecker, tcpProbe } from './health-checker';
import { InstanceHealth } from './instance-health';

describe('HealthChecker', () => {
  it('marks up the down instances whose probe succeeds, every interval, until closed', async () => {
    const clock = new ManualClock();
    const health = new InstanceHealth();
    health.markDown({ instanceId: 'a', host: 'h', port: 1, since: clock.now() });
    health.markDown({ instanceId: 'b', host: 'h', port: 2, since: clock.now() });
    const probed: string[] = [];
    let bAnswers = false;
    const checker = new HealthChecker({
      health,
      clock,
      logger: createTestLogger(),
      intervalMs: 1000,
      probe: async (i) => {
        probed.push(i.instanceId);
        return i.instanceId === 'a' || bAnswers;
      },
    });
    checker.start();
    clock.advance(999);
    expect(probed).toEqual([]);
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(health.list().map((i) => i.instanceId)).toEqual(['b']);
    bAnswers = true;
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    expect(health.size).toBe(0);
    checker.close();
    expect(clock.pending()).toBe(0);
  });

  it('probes with a TCP connect', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    expect(await tcpProbe({ host: '127.0.0.1', port }, 500)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await tcpProbe({ host: '127.0.0.1', port }, 500)).toBe(false);
  });
});
