/** The http pack end to end: render a command with tokens, run it through ProcessRuntime, probe it. */
import { ProcessRuntime } from '@wharf/runtime';
import { getStackPack, type MemberEndpoint, waitForHealthy } from '../src';
import { freePorts, pidsMentioning, tempDir } from './helpers';

jest.setTimeout(30_000);

/** A tiny server: argv[1] port, argv[2] host, argv[3] data dir; /ok → 200, /moved → 302, else 500. */
const SERVER = `
const [port, host, dataDir] = process.argv.slice(1);
require('http').createServer((req, res) => {
  const status = req.url === '/ok' ? 200 : req.url === '/moved' ? 302 : 500;
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(JSON.stringify({ dataDir, envPort: process.env.PORT }));
}).listen(Number(port), host, () => console.log('listening ' + host + ':' + port));
`;

describe('http pack through ProcessRuntime', () => {
  const pack = getStackPack('http');

  it('serves on the given port, probes the health path, and reports a stopped instance unhealthy', async () => {
    const root = await tempDir('http-pack');
    const runtime = new ProcessRuntime({ rootDir: `${root.path}/runtime` });
    await runtime.open();
    try {
      const [port] = await freePorts(1);
      const endpoint: MemberEndpoint = { name: 'web-0', host: '127.0.0.1', ports: { http: port! } };
      const settings = {
        command: [process.execPath, '-e', SERVER, '{{port}}', '{{host}}', '{{data_dir}}'],
        health_path: '/ok',
      };
      pack.validateSettings(settings);
      const dataDir = `${root.path}/data/web-0`;
      const command = pack.command({
        instanceId: 'web-0',
        deploymentId: 'd2',
        version: '1',
        host: endpoint.host,
        ports: endpoint.ports,
        dataDir,
        memoryMb: 64,
        settings,
        cluster: pack.bootstrap({ deploymentId: 'd2', nonce: 'n', members: [endpoint] }),
      });
      const { id } = await runtime.create({
        name: 'web-0',
        labels: { 'wharf.deployment': 'd2' },
        argv: command.argv,
        env: command.env,
        dataDir,
        memoryMb: 64,
        hostAddress: endpoint.host,
        ports: endpoint.ports,
      });
      await runtime.start(id);

      const healthy = await waitForHealthy(pack, endpoint, { timeoutMs: 10_000, settings });
      expect(healthy).toEqual({ healthy: true, detail: 'status 200' });
      expect(await pack.probe(endpoint, { settings: { ...settings, health_path: '/moved' } })).toMatchObject({
        healthy: true,
      });
      expect(await pack.probe(endpoint, { settings: { ...settings, health_path: '/broken' } })).toEqual({
        healthy: false,
        detail: 'status 500',
      });
      const body = await fetch(`http://127.0.0.1:${port}/ok`).then((r) => r.json());
      expect(body).toEqual({ dataDir, envPort: String(port) });
      expect(await runtime.logs(id)).toContain(`listening 127.0.0.1:${port}`);

      await runtime.stop(id, { timeoutMs: 2_000 });
      expect(await pack.probe(endpoint, { settings })).toEqual({ healthy: false, detail: 'ECONNREFUSED' });
      await expect(pack.snapshot(endpoint, `${root.path}/x`)).rejects.toMatchObject({
        code: 'WHARF_SNAPSHOT_UNSUPPORTED',
      });
    } finally {
      for (const c of await runtime.list()) await runtime.remove(c.id, { force: true });
      await runtime.close();
      expect(pidsMentioning(root.path)).toEqual([]);
      await root.cleanup();
    }
  });
});
