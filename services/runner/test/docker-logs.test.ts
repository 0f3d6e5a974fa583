/**
 * Docker-mode service logs against a real engine: a `wharf/proxy` container's stderr and stdout
 * land in the service's log file (`<home>/hosts/<host>/logs/<id>.log`) as in process mode, a
 * restart appends only the new run's output, and a stop keeps the service's last lines. Needs the
 * images of docker/build.sh (built here, engine started, when missing); no ZooKeeper (the proxy is never let that far, or is stopped first).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DockerRuntime } from '@wharf/runtime';
import { ensureWharfImages, freePort, tempDir, waitFor, type TempDir } from '@wharf/testkit';
import { DockerLauncher, RUNNER_SCOPE_LABEL } from '../src/docker-launcher';
import { runtimeLogSource } from '../src/docker-logs';
import { hostHome, planLaunches, type ServiceLaunchSpec } from '../src/roles';

jest.setTimeout(60_000);
/** A cold docker/build.sh (engine install included) on a loaded CI box. */
const BUILD_TIMEOUT_MS = 420_000;

const HOST = `dlogs-${randomBytes(3).toString('hex')}`;

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000 }).trim();
}

let home: TempDir;
let runtime: DockerRuntime;
let launcher: DockerLauncher;
let proxy: ServiceLaunchSpec;

beforeAll(async () => {
  // The engine and the wharf/proxy image: this file fails, never skips, without them.
  await ensureWharfImages();
  home = await tempDir('wharf-runner-dlogs');
  const hostHomeDir = hostHome(home.path, HOST);
  runtime = new DockerRuntime({ scope: { [RUNNER_SCOPE_LABEL]: HOST }, mountPath: hostHomeDir });
  await runtime.open();
  launcher = new DockerLauncher({
    runtime,
    version: '0.1.0',
    hostId: HOST,
    hostAddress: '127.0.0.1',
    hostHome: hostHomeDir,
    logs: runtimeLogSource(runtime),
  });
  const ctx = {
    hostId: HOST,
    address: '127.0.0.1',
    zone: 'zone-a',
    zkConnectString: '127.0.0.1:1', // nothing listens: the proxy waits for ZooKeeper
    zkChroot: '/wharf',
    home: home.path,
    logLevel: 'info',
    domain: 'localhost',
    apiPort: 1,
    proxyPort: await freePort(),
    directorPort: 1,
    portRange: '21000-21099',
  };
  proxy = planLaunches(ctx, ['proxy'])[0]!;
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  const ids = docker('ps', '-aq', '--filter', `label=${RUNNER_SCOPE_LABEL}=${HOST}`);
  if (ids) docker('rm', '-f', ...ids.split('\n'));
  await runtime?.close();
  await home?.cleanup();
});

function logText(): string {
  try {
    return readFileSync(proxy.logFile, 'utf8');
  } catch {
    return '';
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

test("a crashing container's stderr is in the log file once per run, restarts included", async () => {
  const bad = { ...proxy, env: { ...proxy.env, WHARF_LOG_LEVEL: 'loud' } };
  const first = await launcher.launch(bad);
  expect(await first.exited).toEqual({ code: 2, signal: null });
  expect(count(logText(), 'wharf-proxy: invalid proxy configuration')).toBe(1);

  // What the supervisor does on a crash: launch again (a new container under the same name).
  const second = await launcher.launch(bad);
  expect(await second.exited).toEqual({ code: 2, signal: null });
  expect(count(logText(), 'wharf-proxy: invalid proxy configuration')).toBe(2);
  expect(logText()).toContain('"variable":"WHARF_LOG_LEVEL"');
  await second.stop(1000);
});

test("a running container's stdout is followed, and stop keeps its shutdown lines", async () => {
  const before = logText();
  const launched = await launcher.launch(proxy);
  // Followed while it runs: the first line is in the file before anything stops the container.
  await waitFor(() => logText().slice(before.length).includes('"message":"zookeeper session starting"'), {
    intervalMs: 100,
  });
  expect(await launched.stop(5000)).toBe('terminated');
  const added = logText().slice(before.length);
  // The proxy's JSON log lines, written on SIGTERM, the last one right before the container ends.
  expect(count(added, '"message":"zookeeper session starting"')).toBe(1);
  expect(count(added, '"message":"shutdown requested"')).toBe(1);
  expect(added.trimEnd().split('\n').at(-1)).toContain('"message":"zookeeper session closed"');
  expect(docker('ps', '-aq', '--filter', `name=wharf-${proxy.id}`)).toBe('');
});
