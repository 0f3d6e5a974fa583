/**
 * A member dies under load (issue 9): the built `wharf-proxy` binary against a real ZooKeeper,
 * routing one deployment to three real upstream processes. One is SIGKILLed mid-load: not one of
 * several hundred requests may fail (connect failures and resets are retried on another member,
 * the dead one is held down for every worker), and once it is restarted an active health check
 * puts it back in rotation within about a second. Run with one process and with two workers (where
 * the mark travels worker → primary → workers and the primary runs the checks).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { paths, serializeDocument } from '@wharf/model';
import { freePort, useZooKeeper, waitFor } from '@wharf/testkit';
import { instance, routeEntry } from './fixtures';
import { startProxyProcess, useChildren, type ProxyProcess } from './proxy-process';
import { request } from './helpers';

jest.setTimeout(90_000);

/** Requests sent in all; the member dies after {@link KILL_AFTER} of them completed. */
const TOTAL_REQUESTS = 600;
const KILL_AFTER = 150;
/** Concurrent client connections (keep-alive), like a few busy clients. */
const CONCURRENCY = 8;
/**
 * The second phase (POSTs with a body, as etcd's JSON gateway takes them) starts this long after the
 * kill: past the 5 s ejection cooldown of the old proxy, which then sent one client request to the
 * dead member per cooldown and failed it. The member must stay down until a health check passes.
 */
const POST_PHASE_AFTER_KILL_MS = 5_500;
const POST_REQUESTS = 200;
/** How long the restarted member may take to get traffic again (1 s checks, a loaded 2-core box). */
const BACK_IN_ROTATION_LIMIT_MS = 5_000;

/** A member: a Node HTTP server in its own process, answering `{ instance }`. */
const UPSTREAM_SCRIPT = `
const http = require('node:http');
const [port, name] = process.argv.slice(1);
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ instance: name })); });
}).listen(Number(port), '127.0.0.1', () => process.send && process.send('listening'));
`;

const zk = useZooKeeper();
const children = useChildren();

/** Starts a member process on `port`; resolves once it listens. */
async function startMember(name: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', UPSTREAM_SCRIPT, String(port), name], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`member ${name} exited (${code})`)));
  });
  return child;
}

/** Starts the proxy binary with `workers` workers. */
async function startProxy(workers: number): Promise<ProxyProcess> {
  return startProxyProcess(zk, children, {
    WHARF_ID: `proxy-mf-${workers}`,
    WHARF_PROXY_WORKERS: String(workers),
  });
}

/** Sends `total` GETs over `CONCURRENCY` keep-alive connections; `onProgress` sees each completion. */
async function load(
  port: number,
  total: number,
  onProgress: (done: number) => void,
  body?: string,
): Promise<{ failed: number; statuses: Record<string, number>; byInstance: Record<string, number> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses: Record<string, number> = {};
  const byInstance: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      let key: string;
      try {
        const reply = await request(port, {
          headers: {
            host: 'dep1.localhost',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          agent,
          ...(body === undefined ? {} : { method: 'POST', body }),
        });
        key = String(reply.status);
        if (reply.status !== 200) failed += 1;
        else byInstance[reply.json.instance] = (byInstance[reply.json.instance] ?? 0) + 1;
      } catch (err) {
        key = (err as NodeJS.ErrnoException).code ?? 'error';
        failed += 1;
      }
      statuses[key] = (statuses[key] ?? 0) + 1;
      done += 1;
      onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return { failed, statuses, byInstance };
}

describe.each([1, 2])('a member dies under load (WHARF_PROXY_WORKERS=%i)', (workers) => {
  it('fails no request and takes the member back once it is restarted', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const members = await Promise.all(ports.map((port, i) => startMember(`m${i}`, port)));
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const entry = routeEntry(
      'dep1',
      ports.map((port, i) => instance(`dep1-main-${i}`, { port, zone: 'zone-a' })),
    );
    await writer.create(paths.route('dep1'), serializeDocument('route', entry));
    const { port, logs } = await startProxy(workers);
    await waitFor(async () => (await request(port, { headers: { host: 'dep1.localhost' } })).status === 200, {
      message: 'dep1 routed',
    });

    const victim = members[1]!;
    let killedAt = 0;
    const result = await load(port, TOTAL_REQUESTS, (done) => {
      if (done !== KILL_AFTER) return;
      victim.kill('SIGKILL');
      killedAt = performance.now();
    });
    expect(victim.signalCode).toBe('SIGKILL');
    expect(result.statuses).toEqual({ '200': TOTAL_REQUESTS });
    expect(result.failed).toBe(0);
    const marked = logs.filter((l) => l.message === 'instance marked down' && l.instance === 'dep1-main-1');
    expect(marked.length).toBeGreaterThan(0);
    // With workers the primary holds the mark (reported by a worker) and relays it to all of them.
    if (workers > 1) {
      expect(
        logs.some((l) => l.message === 'instance held down for every worker' && l.instance === 'dep1-main-1'),
      ).toBe(true);
    }
    // After the kill (and its in-flight requests) the dead member got nothing more.
    expect(result.byInstance.m1 ?? 0).toBeLessThan(KILL_AFTER);

    await new Promise((resolve) =>
      setTimeout(resolve, killedAt + POST_PHASE_AFTER_KILL_MS - performance.now()),
    );
    const body = JSON.stringify({ key: Buffer.from('k').toString('base64'), value: 'x'.repeat(2048) });
    const posts = await load(port, POST_REQUESTS, () => undefined, body);
    expect(posts.statuses).toEqual({ '200': POST_REQUESTS });
    expect(posts.byInstance.m1).toBeUndefined();

    await startMember('m1', ports[1]!);
    const restarted = performance.now();
    await waitFor(
      async () => (await request(port, { headers: { host: 'dep1.localhost' } })).json?.instance === 'm1',
      { timeoutMs: BACK_IN_ROTATION_LIMIT_MS, intervalMs: 10, message: 'restarted member back in rotation' },
    );
    const backMs = Math.round(performance.now() - restarted);
    expect(logs.some((l) => l.message === 'instance back in rotation')).toBe(true);
    process.stdout.write(
      `member-failure workers=${workers}: ${TOTAL_REQUESTS} GETs (member killed after ${KILL_AFTER}), ` +
        `${result.failed} failed, per member ${JSON.stringify(result.byInstance)}; ${POST_REQUESTS} POSTs ` +
        `${POST_PHASE_AFTER_KILL_MS} ms after the kill, ${posts.failed} failed; back in rotation ${backMs} ms after restart\n`,
    );
  });
});
