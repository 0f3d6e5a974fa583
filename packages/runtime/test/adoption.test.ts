/**
 * A restarted runtime (a new ProcessRuntime on the same root) adopts processes that outlived the
 * old one, notices those that died unwatched, and never adopts a stranger that got a recorded pid.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { type ContainerSpec, ProcessRuntime } from '../src';
import { collectExits, nodeArgv, pidAlive, tempDir, waitFor } from './helpers';

jest.setTimeout(30_000);

const SLEEPER = nodeArgv("console.log('up'); setInterval(() => {}, 1000)");

describe('ProcessRuntime adoption', () => {
  let root: { path: string; cleanup: () => Promise<void> };
  const runtimes: ProcessRuntime[] = [];
  const pids: number[] = [];

  const open = async (): Promise<ProcessRuntime> => {
    const runtime = new ProcessRuntime({ rootDir: `${root.path}/runtime`, watchIntervalMs: 50 });
    runtimes.push(runtime);
    await runtime.open();
    return runtime;
  };
  const spec = (name: string): ContainerSpec => ({
    name,
    labels: { 'wharf.allocator': 'alloc-1', 'wharf.instance': name },
    argv: SLEEPER,
    env: {},
    dataDir: `${root.path}/data/${name}`,
    memoryMb: 16,
    hostAddress: '127.0.0.1',
    ports: { http: 18080 },
  });
  const startOne = async (runtime: ProcessRuntime, name: string): Promise<{ id: string; pid: number }> => {
    const { id } = await runtime.create(spec(name));
    await runtime.start(id);
    const pid = (await runtime.inspect(id))!.pid!;
    pids.push(pid);
    return { id, pid };
  };

  beforeEach(async () => {
    root = await tempDir('runtime-adopt');
  });

  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    for (const pid of pids.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await root.cleanup();
  });

  it('refuses a second live runtime on the same root', async () => {
    await open();
    const second = new ProcessRuntime({ rootDir: `${root.path}/runtime` });
    await expect(second.open()).rejects.toMatchObject({ code: 'WHARF_CONFLICT' });
  });

  it('adopts a still-running process and can stop it and see it die', async () => {
    const first = await open();
    const a = await startOne(first, 'keep-a');
    const b = await startOne(first, 'keep-b');
    await first.close();
    expect(pidAlive(a.pid)).toBe(true);

    const second = await open();
    const exits = collectExits(second);
    const listed = await second.list({ 'wharf.allocator': 'alloc-1' });
    expect(listed.map((c) => [c.name, c.state, c.pid])).toEqual([
      ['keep-a', 'running', a.pid],
      ['keep-b', 'running', b.pid],
    ]);
    expect(listed[0]!.ports).toEqual({ http: 18080 });
    await waitFor(
      async () => (await second.logs(a.id)).includes('up'),
      5_000,
      'the log of an adopted process',
    );

    // Stopping an adopted process works through its process group.
    await second.stop(a.id, { timeoutMs: 2_000 });
    expect(pidAlive(a.pid)).toBe(false);
    expect(await second.inspect(a.id)).toMatchObject({ state: 'exited', exitCode: null });

    // A death nobody caused is noticed by polling (adopted processes send no exit event).
    process.kill(b.pid, 'SIGKILL');
    await waitFor(() => exits.find((e) => e.id === b.id), 5_000, 'exit of the killed adopted process');
    expect(exits.find((e) => e.id === b.id)).toMatchObject({ exitCode: null, unobserved: true });
    expect(await second.inspect(b.id)).toMatchObject({ state: 'exited' });

    // An adopted container can be started again: it becomes an ordinary child.
    await second.start(b.id);
    const restarted = await second.inspect(b.id);
    pids.push(restarted!.pid!);
    expect(restarted).toMatchObject({ state: 'running' });
    await second.remove(b.id, { force: true });
  });

  it('detects a process that died while no runtime watched it', async () => {
    const first = await open();
    const a = await startOne(first, 'gone');
    await first.close();
    process.kill(-a.pid, 'SIGKILL');
    await waitFor(() => !pidAlive(a.pid), 5_000, 'the process to die');

    const exitsSeenAtOpen: string[] = [];
    const second = new ProcessRuntime({ rootDir: `${root.path}/runtime` });
    runtimes.push(second);
    second.on('exit', (e) => exitsSeenAtOpen.push(`${e.name}:${String(e.unobserved)}`));
    await second.open();
    expect(exitsSeenAtOpen).toEqual(['gone:true']);
    expect(await second.inspect(a.id)).toMatchObject({ state: 'exited', exitCode: null });
    expect((await second.inspect(a.id))!.pid).toBeUndefined();
  });

  it('does not adopt (or signal) an unrelated process that holds the recorded pid', async () => {
    const first = await open();
    const a = await startOne(first, 'victim');
    await first.stop(a.id, { timeoutMs: 2_000 });
    await first.close();

    // A stranger in its own process group stands in for a process that reused the pid.
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    pids.push(stranger.pid!);
    const stateFile = `${root.path}/runtime/containers/${a.id}/state.json`;
    const record = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, unknown> & {
      process: { pid: number; startTicks: string };
    };
    await writeFile(
      stateFile,
      JSON.stringify({ ...record, state: 'running', process: { ...record.process, pid: stranger.pid! } }),
    );

    const second = await open();
    expect(await second.inspect(a.id)).toMatchObject({ state: 'exited' });
    await second.remove(a.id, { force: true });
    expect(pidAlive(stranger.pid!)).toBe(true);
  });
});
