import { parseEnsembleConfig, renderDynamicConfig, serverSpec } from './ensemble';

const server = { id: 2, host: '127.0.0.2', quorumPort: 2888, electionPort: 3888, clientPort: 2281 };

describe('server specs', () => {
  it('list the client address, except for a TLS member (it would open a plaintext port)', () => {
    expect(serverSpec(server)).toBe('server.2=127.0.0.2:2888:3888:participant;127.0.0.2:2281');
    expect(serverSpec(server, true)).toBe('server.2=127.0.0.2:2888:3888:participant');
    expect(renderDynamicConfig([server, { ...server, id: 1, host: '127.0.0.1' }], true)).toBe(
      'server.1=127.0.0.1:2888:3888:participant\nserver.2=127.0.0.2:2888:3888:participant\n',
    );
  });

  it('parse with or without a client part; without one the given port fills in', () => {
    const text =
      'server.2=127.0.0.2:2888:3888:participant\nserver.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\nversion=100000003';
    expect(parseEnsembleConfig(text, 2281)).toEqual({
      servers: [
        {
          id: 1,
          host: '127.0.0.1',
          quorumPort: 2888,
          electionPort: 3888,
          clientPort: 2181,
          role: 'participant',
        },
        { ...server, role: 'participant' },
      ],
      version: '100000003',
    });
    expect(parseEnsembleConfig('server.3=h:1:2:observer').servers[0]).toMatchObject({
      clientPort: 0,
      role: 'observer',
    });
  });
});
