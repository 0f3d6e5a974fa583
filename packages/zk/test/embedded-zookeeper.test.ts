import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, useZooKeeper, waitFor } from '@wharf/testkit';
import { EmbeddedZooKeeper, fourLetterWord, probeZooKeeper } from '@wharf/zk';

const zk = useZooKeeper();

describe('EmbeddedZooKeeper', () => {
  test('answers ruok, freezes, thaws and restarts on the same port with its data', async () => {
    const server = zk.zk.server;
    expect(server.state).toBe('running');
    expect(await probeZooKeeper(server.connectString, 1000)).toBe(true);
    expect(await fourLetterWord(server.host, server.port, 'srvr', 1000)).toContain('Mode: standalone');
    expect(existsSync(join(server.dataDir, 'zookeeper.log'))).toBe(true);

    const s = await zk.session();
    await s.create('/kept', 'yes');

    await server.freeze();
    expect(await probeZooKeeper(server.connectString, 300)).toBe(false);
    server.thaw();
    expect(await probeZooKeeper(server.connectString, 2000)).toBe(true);

    const pid = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(pid);
    expect(server.connectString).toBe(zk.connectString);
    await waitFor(async () => (await s.get('/kept')).data.toString() === 'yes', { message: 'data kept' });
  }, 20_000);

  test('refuses a port that is already serving, and kill() ends the process', async () => {
    const dir = await tempDir('wharf-zk-dup');
    try {
      const dup = new EmbeddedZooKeeper({ dataDir: dir.path, port: zk.zk.port });
      await expect(dup.start()).rejects.toMatchObject({ code: 'WHARF_ZK_ERROR' });
      expect(dup.state).toBe('stopped');
      expect(dup.pid).toBeUndefined();

      const other = new EmbeddedZooKeeper({ dataDir: dir.path, port: await freePort(), tickTimeMs: 200 });
      await other.start();
      const pid = other.pid;
      expect(pid).toBeDefined();
      await other.kill();
      expect(other.state).toBe('stopped');
      expect(() => process.kill(pid ?? 0, 0)).toThrow(); // no such process
      expect(await probeZooKeeper(other.connectString, 300)).toBe(false);
    } finally {
      await dir.cleanup();
    }
  }, 20_000);

  test('probeZooKeeper is false when nothing listens', async () => {
    expect(await probeZooKeeper('127.0.0.1:1', 500)).toBe(false);
  });
});
