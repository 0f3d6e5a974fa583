/**
 * The built `wharf-proxy` binary with `WHARF_PROXY_WORKERS=2` against a real ZooKeeper: one
 * registration for the whole proxy, routes reaching every worker, merged metrics, a killed worker
 * restarted while requests keep succeeding, and SIGTERM draining in-flight requests.
 */
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, paths } from '@wharf/model';
import { createRootCa } from '@wharf/pki';
import { freePort, tempDir, useZooKeeper, waitFor } from '@wharf/testkit';
import { instance, routeEntry } from './fixtures';
import { request, startUpstream, writeRoute, type Upstream } from './helpers';
import { startProxyProcess, useChildren, type LogLine, type ProxyProcess } from './proxy-process';
import { h2Request, servedSerial } from './tls-helpers';

jest.setTimeout(90_000);

const zk = useZooKeeper();
const upstreams: Upstream[] = [];
const children = useChildren();
let child: ChildProcess | undefined;

afterEach(async () => {
  child = undefined;
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

async function upstream(name: string): Promise<Upstream> {
  const u = await startUpstream(name);
  upstreams.push(u);
  return u;
}

/** Starts the proxy binary with two workers. */
async function startProxy(id: string, env: Record<string, string> = {}): Promise<ProxyProcess> {
  const proxy = await startProxyProcess(zk, children, { WHARF_ID: id, WHARF_PROXY_WORKERS: '2', ...env });
  child = proxy.child;
  return proxy;
}

const workerPids = (logs: LogLine[]): number[] =>
  logs.filter((l) => l.message === 'proxy worker listening').map((l) => Number(l.pid));

const get = (port: number, deployment: string) =>
  request(port, { headers: { host: `${deployment}.localhost` } });

describe('proxy with WHARF_PROXY_WORKERS=2', () => {
  it('registers once, merges metrics, and restarts a killed worker while requests keep succeeding', async () => {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const a = await upstream('a');
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: a.port })]));
    const { port, logs } = await startProxy('proxy-w');
    await waitFor(async () => (await get(port, 'dep1')).status === 200, { message: 'dep1 routed' });

    expect(await writer.children(paths.proxies())).toEqual(['proxy-w']);
    expect(await writer.children(`${paths.services()}/proxy`)).toEqual(['proxy-w']);
    const [first, second] = workerPids(logs);
    expect(new Set([first, second]).size).toBe(2);

    // Each request on a new connection: connections are handed to the workers in turn.
    for (let i = 0; i < 20; i += 1) expect((await get(port, 'dep1')).status).toBe(200);
    const scrape = await request(port, { path: '/_metrics', headers: { host: 'localhost' } });
    const ok = /wharf_proxy_requests_total\{outcome="ok",status_class="2xx"[^}]*\} (\d+)/.exec(scrape.text);
    // Merged across both workers: at least the 20 above (one worker alone served about half).
    expect(Number(ok?.[1])).toBeGreaterThanOrEqual(20);
    expect(scrape.text).toMatch(/wharf_proxy_route_table_deployments_count\{[^}]*\} 1\n/);

    process.kill(first!, 'SIGKILL');
    await waitFor(() => logs.some((l) => l.message === 'proxy worker exited; restarting'), {
      message: 'worker exit noticed',
    });
    for (let i = 0; i < 10; i += 1) expect((await get(port, 'dep1')).status).toBe(200);
    await waitFor(() => workerPids(logs).length === 3, { timeoutMs: 15_000, message: 'worker restarted' });
    const restarted = workerPids(logs)[2]!;
    expect([first, second]).not.toContain(restarted);

    // The restarted worker got the routes and follows changes like the other one.
    const b = await upstream('b');
    await writeRoute(writer, routeEntry('dep2', [instance('dep2-main-0', { port: b.port })]));
    await waitFor(async () => (await get(port, 'dep2')).status === 200, { message: 'dep2 routed' });
    for (let i = 0; i < 10; i += 1) expect((await get(port, 'dep2')).json.instance).toBe('b');
    expect(await writer.children(paths.proxies())).toEqual(['proxy-w']);
  });

  it('serves the TLS port from every worker with the operator certificate files', async () => {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const a = await upstream('a');
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: a.port })]));
    const dir = await tempDir('wharf-proxy-workers-tls');
    try {
      const ca = await createRootCa();
      const issued = await ca.issue({
        profile: 'server',
        subject: { hostId: 'host-1', role: 'proxy' },
        sans: { dns: ['*.wharf.test'] },
      });
      await writeFile(join(dir.path, 'cert.pem'), issued.certPem);
      await writeFile(join(dir.path, 'key.pem'), issued.keyPem, { mode: 0o600 });
      const tlsPort = await freePort();
      const { port } = await startProxy('proxy-t', {
        WHARF_DOMAIN: 'wharf.test',
        WHARF_PROXY_TLS_PORT: String(tlsPort),
        WHARF_PROXY_TLS_CERT: join(dir.path, 'cert.pem'),
        WHARF_PROXY_TLS_KEY: join(dir.path, 'key.pem'),
      });
      await waitFor(
        async () => (await request(port, { headers: { host: 'dep1.wharf.test' } })).status === 200,
      );
      // New connections each time: both workers answer on the TLS port.
      const instances = new Set<string>();
      for (let i = 0; i < 6; i += 1) {
        const reply = await h2Request(`https://127.0.0.1:${tlsPort}`, 'dep1.wharf.test', '/', {
          ca: ca.certPem,
          servername: 'dep1.wharf.test',
        });
        expect(reply.headers[':status']).toBe(200);
        instances.add(JSON.parse(reply.body).instance as string);
      }
      expect([...instances]).toEqual(['a']);

      // The operator rotates the files: every worker serves the new certificate to new
      // connections, no restart (the primary re-reads the files and tells the workers).
      const next = await ca.issue({
        profile: 'server',
        subject: { hostId: 'host-1', role: 'proxy' },
        sans: { dns: ['*.wharf.test'] },
      });
      await writeFile(join(dir.path, 'key.pem'), next.keyPem, { mode: 0o600 });
      await writeFile(join(dir.path, 'cert.pem'), next.certPem);
      const serial = (pem: string) => new X509Certificate(pem).serialNumber;
      await waitFor(async () => (await servedSerial(tlsPort)) === serial(next.certPem), {
        timeoutMs: 20_000,
        message: 'the rotated certificate served',
      });
      // New connections land on either worker: all of them serve the new one.
      for (let i = 0; i < 6; i += 1) expect(await servedSerial(tlsPort)).toBe(serial(next.certPem));
      expect(serial(next.certPem)).not.toBe(serial(issued.certPem));
    } finally {
      await dir.cleanup();
    }
  });

  it('drains in-flight requests on SIGTERM, deregisters and exits 0', async () => {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const a = await upstream('a');
    a.delayMs = 500;
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: a.port })]));
    // Traffic is written only by the last flush: the workers' counts reach the primary as they drain.
    const { port } = await startProxy('proxy-d', { WHARF_PROXY_TRAFFIC_FLUSH_MS: '3600000' });
    await waitFor(async () => (await get(port, 'dep1')).status === 200, { message: 'dep1 routed' });

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const slow = get(port, 'dep1');
    await new Promise((r) => setTimeout(r, 150));
    child!.kill('SIGTERM');
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
    expect(await exited).toBe(0);
    expect(await writer.exists(paths.proxy('proxy-d'))).toBeNull();
    const hours = await writer.children(paths.trafficRoot());
    const counts = parseDocument(
      'traffic-counts',
      (await writer.get(paths.trafficCounts(hours[hours.length - 1]!, 'proxy-d'))).data.toString(),
    );
    // The probe that found dep1 routed and the slow request (GETs: no body in, two bodies out).
    const [inBytes, outBytes, requests] = counts.deployments.dep1!;
    expect([inBytes, requests]).toEqual([0, 2]);
    expect(outBytes).toBeGreaterThan(Buffer.byteLength(reply.text));
    await expect(get(port, 'dep1')).rejects.toThrow(/ECONNREFUSED/);
  });
});
