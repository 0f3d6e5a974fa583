import { instanceEnv } from './launch';
import { validateContainerSpec } from './validate';

const base = {
  name: 'x',
  labels: {},
  argv: ['/bin/true'],
  dataDir: '/tmp/x',
  memoryMb: 1,
  hostAddress: '127.0.0.1',
  ports: {},
};

describe('instanceEnv', () => {
  it('is the spec env plus PATH, nothing else', () => {
    const spec = validateContainerSpec({ ...base, env: { PORT: '8080' } });
    expect(instanceEnv(spec, '/usr/bin:/bin')).toEqual({ PATH: '/usr/bin:/bin', PORT: '8080' });
  });
  it("keeps the spec's own PATH", () => {
    const spec = validateContainerSpec({ ...base, env: { PATH: '/opt/bin' } });
    expect(instanceEnv(spec, '/usr/bin:/bin')).toEqual({ PATH: '/opt/bin' });
  });
});
