import { compileDockerRuntimeOptions, defaultUser } from './docker-options';

describe('compileDockerRuntimeOptions', () => {
  it('runs instances as the caller, or as an unprivileged uid (with chown) when the caller is root', () => {
    expect(defaultUser(1000, 1000)).toEqual({ user: '1000:1000' });
    expect(defaultUser(0, 0)).toEqual({ user: '10001:10001', chownTo: { uid: 10001, gid: 10001 } });
    expect(compileDockerRuntimeOptions({}, { uid: 0, gid: 0 })).toMatchObject({
      mountPath: '/data',
      user: '10001:10001',
      stopTimeoutMs: 10_000,
    });
    expect(compileDockerRuntimeOptions({ user: null }, { uid: 0, gid: 0 }).user).toBeUndefined();
  });

  it('refuses bad values', () => {
    expect(() => compileDockerRuntimeOptions({ mountPath: 'data' })).toThrow(/mountPath/);
    expect(() => compileDockerRuntimeOptions({ user: 'root' })).toThrow(/user/);
    expect(() => compileDockerRuntimeOptions({ hostCpus: 0 })).toThrow(/hostCpus/);
  });
});
