/** ProcessRuntime against real processes: start, stop, kill after timeout, exits, logs, env. */
import { isWharfError } from '@wharf/model';
import { type ContainerSpec, ProcessRuntime } from '../src';
import { collectExits, nodeArgv, pidAlive, tempDir, waitFor } from './helpers';

jest.setTimeout(30_000);

/** A child that ignores SIGTERM and starts a grandchild that ignores it too, printing both pids. */
const STUBBORN = `
process.on('SIGTERM', () => console.log('parent ignored SIGTERM'));
const { spawn } = require('child_process');
const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'inherit' });
console.log('pids ' + process.pid + ' ' + g.pid);
setInterval(() => {}, 1000);
`;

describe('ProcessRuntime lifecycle', () => {
  let root: { path: string; cleanup: () => Promise<void> };
  let runtime: ProcessRuntime;

  const spec = (name: string, argv: string[], env: Record<string, string> = {}): ContainerSpec => ({
    name,
    labels: { 'wharf.instance': name, 'wharf.deployment': 'dep1' },
    argv,
    env,
    dataDir: `${root.path}/data/${name}`,
    memoryMb: 64,
    hostAddress: '127.0.0.1',
    ports: {},
  });

  beforeEach(async () => {
    root = await tempDir('runtime');
    runtime = new ProcessRuntime({ rootDir: `${root.path}/runtime` });
    await runtime.open();
  });

  afterEach(async () => {
    for (const c of await runtime.list()) await runtime.remove(c.id, { force: true });
    await runtime.close();
    await root.cleanup();
  });

  it('starts a process, logs its output, stops it gracefully with SIGTERM', async () => {
    const exits = collectExits(runtime);
    const created = await runtime.create(
      spec('sleeper', nodeArgv("console.log('hello from ' + process.cwd()); setInterval(() => {}, 1000)")),
    );
    expect(created.state).toBe('created');
    await runtime.start(created.id);
    const running = await runtime.inspect('sleeper');
    expect(running).toMatchObject({ id: created.id, state: 'running' });
    expect(pidAlive(running!.pid!)).toBe(true);
    await waitFor(async () => (await runtime.logs(created.id)).includes('hello from'), 5_000, 'log line');
    // The working directory defaults to the data dir.
    expect(await runtime.logs(created.id)).toContain(`hello from ${root.path}/data/sleeper`);

    const started = Date.now();
    await runtime.stop(created.id, { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(pidAlive(running!.pid!)).toBe(false);
    expect(await runtime.inspect(created.id)).toMatchObject({
      state: 'exited',
      exitCode: null,
      signal: 'SIGTERM',
    });
    expect(exits).toEqual([
      expect.objectContaining({ id: created.id, signal: 'SIGTERM', unobserved: false }),
    ]);
    // stop is idempotent
    await runtime.stop(created.id);
  });

  it('SIGKILLs the whole process group when SIGTERM is ignored past the timeout', async () => {
    const c = await runtime.create(spec('stubborn', nodeArgv(STUBBORN)));
    await runtime.start(c.id);
    const line = await waitFor(
      async () => /pids (\d+) (\d+)/.exec(await runtime.logs(c.id)) ?? undefined,
      5_000,
      'pids',
    );
    const [parent, grandchild] = [Number(line[1]), Number(line[2])];
    expect(pidAlive(parent) && pidAlive(grandchild)).toBe(true);

    const started = Date.now();
    await runtime.stop(c.id, { timeoutMs: 600 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(5_000);
    expect(await runtime.logs(c.id)).toContain('parent ignored SIGTERM');
    expect(pidAlive(parent)).toBe(false);
    expect(pidAlive(grandchild)).toBe(false);
    expect(await runtime.inspect(c.id)).toMatchObject({ state: 'exited', signal: 'SIGKILL' });
  });

  it('reports an exit with its code and can restart the container', async () => {
    const exits = collectExits(runtime);
    const c = await runtime.create(spec('quitter', nodeArgv("console.log('bye'); process.exit(3)")));
    await runtime.start(c.id);
    await waitFor(() => exits.length > 0, 5_000, 'exit event');
    expect(exits[0]).toMatchObject({
      id: c.id,
      name: 'quitter',
      exitCode: 3,
      signal: null,
      unobserved: false,
    });
    expect(exits[0]!.labels['wharf.deployment']).toBe('dep1');
    const info = await runtime.inspect(c.id);
    expect(info).toMatchObject({ state: 'exited', exitCode: 3 });
    expect(info!.finishedAt).toBeGreaterThanOrEqual(info!.startedAt!);

    await runtime.start(c.id);
    await waitFor(() => exits.length > 1, 5_000, 'second exit event');
    expect((await runtime.logs(c.id)).match(/bye/g)).toHaveLength(2);
    expect(await runtime.logs(c.id, { tail: 1 })).toBe('bye\n');
  });

  it('gives the process only the spec env plus PATH, never the parent env', async () => {
    process.env.WHARF_TEST_SECRET = 'hunter2-do-not-leak';
    try {
      const c = await runtime.create(
        spec('envdump', nodeArgv('console.log(JSON.stringify(process.env))'), { PORT: '1234' }),
      );
      const exits = collectExits(runtime);
      await runtime.start(c.id);
      await waitFor(() => exits.length > 0, 5_000, 'exit');
      const env = JSON.parse((await runtime.logs(c.id)).trim()) as Record<string, string>;
      expect(env.PORT).toBe('1234');
      expect(env.PATH).toBeDefined();
      expect(env.WHARF_TEST_SECRET).toBeUndefined();
      expect(JSON.stringify(env)).not.toContain('hunter2');
      expect(Object.keys(env).sort()).toEqual(['PATH', 'PORT']);
    } finally {
      delete process.env.WHARF_TEST_SECRET;
    }
  });

  it('refuses shell strings and relative programs, duplicate names, and removing a running container', async () => {
    const bad = { ...spec('bad', ['x']), argv: 'echo hi' as unknown as string[] };
    await expect(runtime.create(bad)).rejects.toMatchObject({ code: 'WHARF_RUNTIME_ERROR' });
    await expect(runtime.create(spec('bad', ['./run.sh']))).rejects.toMatchObject({
      code: 'WHARF_RUNTIME_ERROR',
    });
    await expect(runtime.create(spec('../bad', ['/bin/true']))).rejects.toMatchObject({
      code: 'WHARF_INVALID_ID',
    });

    const c = await runtime.create(spec('twin', nodeArgv('setInterval(() => {}, 1000)')));
    await expect(runtime.create(spec('twin', ['/bin/true']))).rejects.toMatchObject({
      code: 'WHARF_CONFLICT',
    });
    await runtime.start(c.id);
    await expect(runtime.remove(c.id)).rejects.toMatchObject({ code: 'WHARF_CONFLICT' });
    const pid = (await runtime.inspect(c.id))!.pid!;
    await runtime.remove(c.id, { force: true });
    expect(pidAlive(pid)).toBe(false);
    expect(await runtime.inspect(c.id)).toBeNull();
    await runtime.remove(c.id); // unknown: no-op
    await expect(runtime.start(c.id)).rejects.toMatchObject({ code: 'WHARF_RUNTIME_NOT_FOUND' });
  });

  it('reports a program that does not exist as WHARF_RUNTIME_ERROR at start', async () => {
    const c = await runtime.create(spec('ghost', ['/nonexistent/program']));
    const err = await runtime.start(c.id).catch((e: unknown) => e);
    expect(isWharfError(err, 'WHARF_RUNTIME_ERROR')).toBe(true);
    expect(await runtime.inspect(c.id)).toMatchObject({ state: 'created' });
  });

  it('kills descendants an exited leader left behind before restarting or removing', async () => {
    const orphaner = nodeArgv(`
      const { spawn } = require('child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('orphan ' + g.pid);
      g.unref();
      process.exit(0);
    `);
    const exits = collectExits(runtime);
    const c = await runtime.create(spec('orphaner', orphaner));
    await runtime.start(c.id);
    await waitFor(() => exits.length > 0, 5_000, 'leader exit');
    const orphan = Number(/orphan (\d+)/.exec(await runtime.logs(c.id))![1]);
    expect(pidAlive(orphan)).toBe(true);
    await runtime.remove(c.id);
    expect(pidAlive(orphan)).toBe(false);
  });

  it('lists by labels', async () => {
    await runtime.create(spec('one', ['/bin/true']));
    const other = { ...spec('two', ['/bin/true']), labels: { 'wharf.deployment': 'dep2' } };
    await runtime.create(other);
    expect((await runtime.list({ 'wharf.deployment': 'dep1' })).map((c) => c.name)).toEqual(['one']);
    expect((await runtime.list()).map((c) => c.name).sort()).toEqual(['one', 'two']);
  });
});
