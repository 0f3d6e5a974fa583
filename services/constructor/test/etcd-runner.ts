/**
 * Runs real etcd members for a fake allocator: the stack pack renders the command from the spec
 * (cluster token, state, members), a child process runs it with a throwaway data dir, and the
 * pack's probe decides when it is healthy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type InstanceSpec } from '@wharf/model';
import { getStackPack } from '@wharf/stacks';
import { freePort, tempDir, waitFor, type TempDir } from '@wharf/testkit';
import { type InstanceRunner } from './fake-allocator';

/** A 3-member etcd cluster answers within ~2 s; a joiner within a few more. */
const START_TIMEOUT_MS = 30_000;

/** An {@link InstanceRunner} for etcd. */
export class EtcdRunner implements InstanceRunner {
  private readonly pack = getStackPack('etcd');
  private readonly children = new Map<string, ChildProcess>();
  private dir: TempDir | undefined;

  async reservePorts(): Promise<Record<string, number>> {
    return { client: await freePort(), peer: await freePort() };
  }

  async start(spec: InstanceSpec, host: string, ports: Record<string, number>): Promise<void> {
    this.dir ??= await tempDir('wharf-constructor-etcd');
    const { argv, env } = this.pack.command({
      instanceId: spec.instance_id,
      deploymentId: spec.deployment_id,
      version: spec.version,
      host,
      ports,
      dataDir: join(this.dir.path, spec.instance_id),
      memoryMb: spec.memory_mb,
      settings: spec.settings ?? {},
      cluster: spec.cluster,
    });
    const [command, ...args] = argv;
    const child = spawn(command!, args, { env, stdio: 'ignore' });
    this.children.set(spec.instance_id, child);
    const endpoint = { name: spec.instance_id, host, ports };
    await waitFor(async () => (await this.pack.probe(endpoint)).healthy, {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 100,
      message: `etcd ${spec.instance_id} healthy`,
    });
  }

  async stop(instanceId: string): Promise<void> {
    const child = this.children.get(instanceId);
    this.children.delete(instanceId);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** SIGKILLs every member at once, as when their host dies (data dirs stay until `close`). */
  kill(): void {
    for (const [id, child] of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      this.children.delete(id);
    }
  }

  /** Instance ids this runner has started and not stopped. */
  running(): string[] {
    return [...this.children.keys()].sort();
  }

  /** Kills every member and removes the data dirs. */
  async close(): Promise<void> {
    for (const id of [...this.children.keys()]) await this.stop(id);
    await this.dir?.cleanup();
  }
}
