import { DEFAULT_RUNTIME_CHOICE, HELP, configFromEnv, parseCommandLine, resolveRuntime } from './config';

const host = { hostname: 'Box_1.local', pid: 42, totalMemoryMb: 2000, cpus: 8, cwd: '/srv' };

/** A value for every variable the allocator reads, none of them its default. */
const EVERY_VARIABLE = {
  WHARF_ID: 'alloc-b',
  WHARF_ZONE: 'zone-b',
  WHARF_PORT_RANGE: '30000-30099',
  WHARF_CAPACITY_MB: '4096',
  WHARF_CPUS: '2',
  WHARF_TAGS: 'ssd=true',
  WHARF_HOME: '/data',
  WHARF_METRICS_PORT: '9100',
  WHARF_LIVENESS_SESSION_TIMEOUT_MS: '5000',
};

describe('configFromEnv', () => {
  it('applies the documented defaults', () => {
    const s = configFromEnv({}, host);
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
      livenessSessionTimeoutMs: 3_000,
    });
    expect(s.runtimeStateDir).toBe('/srv/.wharf/allocators/allocator-box-1-local-42/runtime');
  });

  it('reads every variable', () => {
    const s = configFromEnv(EVERY_VARIABLE, host);
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
    expect(s.livenessSessionTimeoutMs).toBe(5_000);
  });

  it('names the bad variable', () => {
    expect(() => configFromEnv({ WHARF_CAPACITY_MB: 'lots' }, host)).toThrow(/WHARF_CAPACITY_MB/);
    // Below ZooKeeper's floor (2 ticks of 100 ms): refused, not silently clamped.
    expect(() => configFromEnv({ WHARF_LIVENESS_SESSION_TIMEOUT_MS: '100' }, host)).toThrow(
      /WHARF_LIVENESS_SESSION_TIMEOUT_MS/,
    );
  });
});

describe('runtime selection', () => {
  it('defaults to auto (docker when the engine answers, else process)', () => {
    expect(DEFAULT_RUNTIME_CHOICE).toBe('auto');
    expect(configFromEnv({}, host).runtime).toBe('auto');
  });

  it('reads WHARF_RUNTIME', () => {
    for (const value of ['process', 'docker', 'auto'] as const) {
      expect(configFromEnv({ WHARF_RUNTIME: value }, host).runtime).toBe(value);
    }
    expect(configFromEnv({ WHARF_RUNTIME: 'docker' }, host).allocator.runtimeKind).toBe('docker');
    expect(configFromEnv({ WHARF_RUNTIME: 'process' }, host).allocator.runtimeKind).toBe('process');
  });

  it('lets --runtime beat WHARF_RUNTIME, in both spellings', () => {
    const docker = { WHARF_RUNTIME: 'docker' };
    expect(configFromEnv(docker, host, ['--runtime', 'process'])).toMatchObject({
      runtime: 'process',
      allocator: { runtimeKind: 'process' },
    });
    expect(configFromEnv(docker, host, ['--runtime=auto']).runtime).toBe('auto');
    expect(configFromEnv({ WHARF_RUNTIME: 'process' }, host, ['--runtime=docker']).runtime).toBe('docker');
    // A bad variable is not an error when the flag decides.
    expect(configFromEnv({ WHARF_RUNTIME: 'podman' }, host, ['--runtime', 'process']).runtime).toBe(
      'process',
    );
  });

  it('rejects bad values, naming the flag or the variable', () => {
    expect(() => configFromEnv({ WHARF_RUNTIME: 'podman' }, host)).toThrow(
      /^invalid allocator configuration: WHARF_RUNTIME: must be one of process, docker, auto$/,
    );
    expect(() => configFromEnv({ WHARF_RUNTIME: 'process' }, host, ['--runtime=lxc'])).toThrow(
      /^--runtime must be one of process, docker, auto \(got "lxc"\)$/,
    );
    expect(() => configFromEnv({}, host, ['--runtime', 'Docker'])).toThrow(/--runtime/);
    expect(() => configFromEnv({}, host, ['--runtime='])).toThrow(/--runtime/);
    expect(() => configFromEnv({}, host, ['--runtime'])).toThrow(/--runtime needs a value/);
    expect(() => configFromEnv({}, host, ['--runtime', '--help'])).toThrow(/--runtime needs a value/);
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

describe('defaults and help', () => {
  it('derives a valid id from any host name and documents every variable', () => {
    expect(configFromEnv({}, { ...host, hostname: '--Weird__Host--', pid: 7 }).allocator.id).toBe(
      'allocator-weird-host-7',
    );
    expect(configFromEnv({}, { ...host, hostname: 'x'.repeat(100) }).allocator.id.length).toBeLessThanOrEqual(
      63,
    );
    for (const name of ['WHARF_ID', 'WHARF_RUNTIME', 'WHARF_TAGS', 'WHARF_STOP_INSTANCES', '--runtime']) {
      expect(HELP).toContain(name);
    }
  });
});
