import { type ContainerInspectInfo } from 'dockerode';
import { cpuQuotaUs, exitOf, toContainerInfo, toCreateOptions } from './docker-spec';
import { type ContainerSpec } from './types';

const spec: ContainerSpec = {
  name: 'wharf-a1-etcd-0',
  labels: { 'wharf.instance': 'etcd-0' },
  image: 'wharf/etcd:3.4',
  argv: ['/usr/bin/etcd', '--data-dir=/data'],
  env: { A: '1' },
  dataDir: '/srv/wharf/etcd-0/data',
  memoryMb: 256,
  cpuQuota: 0.0625,
  hostAddress: '127.0.0.1',
  ports: { client: 20000, peer: 20001 },
};
const ctx = { mountPath: '/data', hostCpus: 4, user: '10001:10001' };

describe('toCreateOptions', () => {
  it('maps limits, labels, the mount and the policies', () => {
    const options = toCreateOptions(spec, ctx);
    expect(options).toMatchObject({
      name: 'wharf-a1-etcd-0',
      Image: 'wharf/etcd:3.4',
      Cmd: ['/usr/bin/etcd', '--data-dir=/data'],
      Env: ['A=1'],
      User: '10001:10001',
      WorkingDir: '/data',
      Labels: {
        'wharf.instance': 'etcd-0',
        'wharf.managed': 'true',
        'wharf.runtime.ports': '{"client":20000,"peer":20001}',
      },
      HostConfig: {
        NetworkMode: 'host',
        Binds: ['/srv/wharf/etcd-0/data:/data:rw'],
        Memory: 256 * 1048576,
        MemorySwap: 256 * 1048576,
        CpuPeriod: 100_000,
        CpuQuota: 25_000,
        RestartPolicy: { Name: 'no' },
      },
    });
  });

  it('refuses a spec without an image', () => {
    const { image: _image, ...rest } = spec;
    expect(() => toCreateOptions(rest, ctx)).toThrow(
      expect.objectContaining({ code: 'WHARF_RUNTIME_ERROR' }),
    );
  });

  it('leaves Cmd to the image when argv is empty, and the user to the image when none is given', () => {
    const options = toCreateOptions({ ...spec, argv: [] }, { mountPath: '/data', hostCpus: 1 });
    expect(options.Cmd).toBeUndefined();
    expect(options.User).toBeUndefined();
  });
});

describe('cpuQuotaUs', () => {
  it('is the fraction of every host CPU, never below the kernel minimum', () => {
    expect(cpuQuotaUs(0.5, 2)).toBe(100_000);
    expect(cpuQuotaUs(1, 8)).toBe(800_000);
    expect(cpuQuotaUs(0.000001, 1)).toBe(1_000);
  });
});

describe('exitOf', () => {
  it('maps 128+N to the signal N', () => {
    expect(exitOf(3)).toEqual({ exitCode: 3, signal: null });
    expect(exitOf(137)).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(exitOf(143)).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(exitOf(255)).toEqual({ exitCode: 255, signal: null });
    expect(exitOf(undefined)).toEqual({ exitCode: null, signal: null });
  });
});

describe('toContainerInfo', () => {
  const raw = (status: string, exitCode: number): ContainerInspectInfo =>
    ({
      Id: 'abc',
      Name: '/wharf-a1-etcd-0',
      Created: '2026-01-01T00:00:00.000Z',
      Config: { Image: 'wharf/etcd:3.4', Labels: toCreateOptions(spec, ctx).Labels },
      State: {
        Status: status,
        Running: status === 'running',
        Pid: status === 'running' ? 42 : 0,
        ExitCode: exitCode,
        StartedAt: '2026-01-01T00:00:01.000Z',
        FinishedAt: status === 'running' ? '0001-01-01T00:00:00Z' : '2026-01-01T00:00:02.000Z',
      },
    }) as unknown as ContainerInspectInfo;

  it('recovers the spec fields from labels and strips the runtime-owned ones', () => {
    expect(toContainerInfo(raw('running', 0))).toEqual({
      id: 'abc',
      name: 'wharf-a1-etcd-0',
      labels: { 'wharf.instance': 'etcd-0' },
      state: 'running',
      pid: 42,
      createdAt: Date.parse('2026-01-01T00:00:00.000Z'),
      startedAt: Date.parse('2026-01-01T00:00:01.000Z'),
      hostAddress: '127.0.0.1',
      ports: { client: 20000, peer: 20001 },
      dataDir: '/srv/wharf/etcd-0/data',
      image: 'wharf/etcd:3.4',
    });
  });

  it('reports how an exited container ended', () => {
    expect(toContainerInfo(raw('exited', 3))).toMatchObject({
      state: 'exited',
      exitCode: 3,
      signal: null,
      finishedAt: Date.parse('2026-01-01T00:00:02.000Z'),
    });
  });
});

describe('Docker-only extras', () => {
  it('appends extraBinds to the data-dir bind and passes groupAdd', () => {
    const options = toCreateOptions(
      { ...spec, extraBinds: ['/var/run/docker.sock:/var/run/docker.sock:rw'], groupAdd: ['998'] },
      ctx,
    );
    expect(options.HostConfig?.Binds).toEqual([
      `${spec.dataDir}:/data:rw`,
      '/var/run/docker.sock:/var/run/docker.sock:rw',
    ]);
    expect(options.HostConfig?.GroupAdd).toEqual(['998']);
    expect(toCreateOptions(spec, ctx).HostConfig?.GroupAdd).toBeUndefined();
  });
});
