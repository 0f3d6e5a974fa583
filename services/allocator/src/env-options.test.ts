import {
  DEFAULT_RUNTIME_CHOICE,
  defaultId,
  parseCommandLine,
  resolveRuntime,
  settingsFromEnv,
} from './env-options';

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
  });
});

describe('runtime selection', () => {
  it('defaults to auto (docker when the engine answers, else process)', () => {
    expect(DEFAULT_RUNTIME_CHOICE).toBe('auto');
    expect(settingsFromEnv({}, host).runtime).toBe('auto');
  });

  it('reads WHARF_RUNTIME', () => {
    for (const value of ['process', 'docker', 'auto'] as const) {
      expect(settingsFromEnv({ WHARF_RUNTIME: value }, host).runtime).toBe(value);
    }
    expect(settingsFromEnv({ WHARF_RUNTIME: 'docker' }, host).allocator.runtimeKind).toBe('docker');
    expect(settingsFromEnv({ WHARF_RUNTIME: 'process' }, host).allocator.runtimeKind).toBe('process');
  });

  it('lets --runtime beat WHARF_RUNTIME, in both spellings', () => {
    const docker = { WHARF_RUNTIME: 'docker' };
    expect(settingsFromEnv(docker, host, ['--runtime', 'process'])).toMatchObject({
      runtime: 'process',
      allocator: { runtimeKind: 'process' },
    });
    expect(settingsFromEnv(docker, host, ['--runtime=auto']).runtime).toBe('auto');
    expect(settingsFromEnv({ WHARF_RUNTIME: 'process' }, host, ['--runtime=docker']).runtime).toBe('docker');
    // A bad variable is not an error when the flag decides.
    expect(settingsFromEnv({ WHARF_RUNTIME: 'podman' }, host, ['--runtime', 'process']).runtime).toBe(
      'process',
    );
  });

  it('rejects bad values, naming the flag or the variable', () => {
    expect(() => settingsFromEnv({ WHARF_RUNTIME: 'podman' }, host)).toThrow(
      /^WHARF_RUNTIME must be one of process, docker, auto \(got "podman"\)$/,
    );
    expect(() => settingsFromEnv({ WHARF_RUNTIME: 'process' }, host, ['--runtime=lxc'])).toThrow(
      /^--runtime must be one of process, docker, auto \(got "lxc"\)$/,
    );
    expect(() => settingsFromEnv({}, host, ['--runtime', 'Docker'])).toThrow(/--runtime/);
    expect(() => settingsFromEnv({}, host, ['--runtime='])).toThrow(/--runtime/);
    expect(() => settingsFromEnv({}, host, ['--runtime'])).toThrow(/--runtime needs a value/);
    expect(() => settingsFromEnv({}, host, ['--runtime', '--help'])).toThrow(/--runtime needs a value/);
  });

  it('rejects unknown arguments', () => {
    expect(() => parseCommandLine(['--runtim=docker'])).toThrow(/--runtim=docker is not a known argument/);
    expect(() => parseCommandLine(['docker'])).toThrow(/docker is not a known argument/);
  });

  it('parses --help and the flag', () => {
    expect(parseCommandLine([])).toEqual({ help: false });
    expect(parseCommandLine(['-h'])).toEqual({ help: true });
    expect(parseCommandLine(['--runtime', 'docker', '--help'])).toEqual({ help: true, runtime: 'docker' });
  });

  it('resolves auto by engine readiness', () => {
    expect(resolveRuntime('auto', true)).toBe('docker');
    expect(resolveRuntime('auto', false)).toBe('process');
    expect(resolveRuntime('process', true)).toBe('process');
    expect(resolveRuntime('docker', false)).toBe('docker');
  });
});

describe('defaultId', () => {
  it('is always a valid id', () => {
    expect(defaultId('--Weird__Host--', 7)).toBe('allocator-weird-host-7');
    expect(defaultId('x'.repeat(100), 1).length).toBeLessThanOrEqual(63);
  });
});
