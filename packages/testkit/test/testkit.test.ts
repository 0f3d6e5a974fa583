import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { probeZooKeeper } from '@wharf/zk';
import { freePort, startZooKeeper, tempDir } from '@wharf/testkit';

describe('testkit', () => {
  test('freePort returns a bindable loopback port', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('tempDir cleans up', async () => {
    const dir = await tempDir('wharf-testkit');
    expect(existsSync(dir.path)).toBe(true);
    await dir.cleanup();
    await dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
  });

  test('startZooKeeper serves, stops and removes its data dir on close', async () => {
    const zk = await startZooKeeper();
    try {
      expect(await probeZooKeeper(zk.connectString, 1000)).toBe(true);
      await zk.stop();
      expect(await probeZooKeeper(zk.connectString, 300)).toBe(false);
      await zk.start();
      expect(await probeZooKeeper(zk.connectString, 1000)).toBe(true);
    } finally {
      await zk.close();
    }
    expect(existsSync(zk.dataDir)).toBe(false);
    expect(zk.server.pid).toBeUndefined();
  }, 20_000);
});
