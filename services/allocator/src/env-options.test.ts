import { defaultId, resolveRuntime, runtimeFlag, settingsFromEnv } from './env-options';

const host = { hostname: 'Box_1.local', pid: 42, totalMemoryMb: 2000, cpus: 8, cwd: '/srv' };

describe('settingsFromEnv', () => {
  it('applies the documented defaults', () => {
    const s = settingsFromEnv({}, host);
    expect(s.allocator).toMatchObject({
      id: 'allocator-box-1-local-42',
      home: '/srv/.wharf',
      zone: 'zone-a',
      host: '127.0.0.1',
    });
    expect(s).toMatchObject({
      zkConnect: '127.0.0.1:2181',
      zkChroot: '/wharf',
      metricsPort: 0,
      stopInstancesOnExit: false,
    });
    expect(s.runtimeStateDir).toBe('/srv/.wharf/allocators/allocator-box-1-local-42/runtime');
  });

  it('reads every variable', () => {
    const s = settingsFromEnv(
      {
        WHARF_ID: 'alloc-b',
        WHARF_ZONE: 'zone-b',
        WHARF_PORT_RANGE: '30000-30099',
        WHARF_CAPACITY_MB: '4096',
        WHARF_CPUS: '2',
        WHARF_TAGS: 'ssd=true',
        WHARF_HOME: '/data',
        WHARF_METRICS_PORT: '9100',
      },
      host,
    );
    expect(s.allocator).toMatchObject({
      id: 'alloc-b',
      zone: 'zone-b',
      portRange: { from: 30000, to: 30099 },
      capacityMb: 4096,
      cpus: 2,
      tags: { ssd: 'true' },
      home: '/data',
    });
    expect(s.metricsPort).toBe(9100);
  });

  it('names the bad variable', () => {
    expect(() => settingsFromEnv({ WHARF_CAPACITY_MB: 'lots' }, host)).toThrow(/WHARF_CAPACITY_MB/);
    expect(() => settingsFromEnv({ WHARF_RUNTIME: 'podman' }, host)).toThrow(/WHARF_RUNTIME/);
    expect(() => settingsFromEnv({}, host, ['--runtime=lxc'])).toThrow(/--runtime/);
  });
});

describe('runtime selection', () => {
  it('defaults to process, so existing setups keep running host commands', () => {
    expect(settingsFromEnv({}, host)).toMatchObject({
      runtime: 'process',
      allocator: { runtimeKind: 'process' },
    });
  });

  it('reads WHARF_RUNTIME, and --runtime overrides it', () => {
    expect(settingsFromEnv({ WHARF_RUNTIME: 'docker' }, host)).toMatchObject({
      runtime: 'docker',
      allocator: { runtimeKind: 'docker' },
    });
    expect(settingsFromEnv({ WHARF_RUNTIME: 'docker' }, host, ['--runtime', 'process']).runtime).toBe(
      'process',
    );
    expect(settingsFromEnv({}, host, ['--runtime=auto']).runtime).toBe('auto');
  });

  it('resolves auto by engine readiness', () => {
    expect(resolveRuntime('auto', true)).toBe('docker');
    expect(resolveRuntime('auto', false)).toBe('process');
    expect(resolveRuntime('process', true)).toBe('process');
    expect(resolveRuntime('docker', false)).toBe('docker');
    expect(runtimeFlag(['node', 'main.js'])).toBeUndefined();
  });
});

describe('defaultId', () => {
  it('is always a valid id', () => {
    expect(defaultId('--Weird__Host--', 7)).toBe('allocator-weird-host-7');
    expect(defaultId('x'.repeat(100), 1).length).toBeLessThanOrEqual(63);
  });
});
