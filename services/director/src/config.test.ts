import { configFromEnv, helpText } from './config';
import { sansOf } from './director';

test('defaults: loopback enrolment on 12500, an id from the host name', () => {
  expect(configFromEnv({}, { hostname: 'Box.Example' })).toMatchObject({
    id: 'director-box-example',
    host: '127.0.0.1',
    port: 12500,
    names: [],
    quorumIntervalMs: 5000,
  });
  expect(helpText()).toContain('WHARF_DIRECTOR_PORT');
});

test('bad values are refused naming the variable; "ca" is not a director id', () => {
  const fields = (env: Record<string, string>): unknown => {
    try {
      configFromEnv(env, { hostname: 'h' });
      return [];
    } catch (err) {
      return ((err as { details: { path: string }[] }).details ?? []).map((d) => d.path);
    }
  };
  expect(fields({ WHARF_ID: 'ca' })).toEqual(['WHARF_ID']);
  expect(fields({ WHARF_ID: '../x', WHARF_DIRECTOR_PORT: '70000' })).toEqual([
    'WHARF_ID',
    'WHARF_DIRECTOR_PORT',
  ]);
  expect(fields({ WHARF_DIRECTOR_QUORUM_INTERVAL_MS: '10' })).toEqual(['WHARF_DIRECTOR_QUORUM_INTERVAL_MS']);
  for (const bad of ['1:2181', '0:2181:2888:3888', '1:2181:2181:3888', '1:0:2888:3888', 'x:1:2:3']) {
    expect(fields({ WHARF_DIRECTOR_ZK_MEMBER: bad })).toEqual(['WHARF_DIRECTOR_ZK_MEMBER']);
  }
  expect(fields({ WHARF_DIRECTOR_ZK_JOIN: '127.0.0.1:99999' })).toEqual(['WHARF_DIRECTOR_ZK_JOIN']);
});

test('a ZooKeeper ensemble member: id and three ports; none by default', () => {
  expect(configFromEnv({}, { hostname: 'h' })).toMatchObject({ zkMember: null, zkJoin: '' });
  expect(
    configFromEnv(
      { WHARF_DIRECTOR_ZK_MEMBER: '2:2181:2888:3888', WHARF_DIRECTOR_ZK_JOIN: '127.0.0.1:2182' },
      { hostname: 'h' },
    ),
  ).toMatchObject({
    zkMember: { id: 2, clientPort: 2181, quorumPort: 2888, electionPort: 3888 },
    zkJoin: '127.0.0.1:2182',
  });
});

test('a TLS member: its certificate directory and super user; plaintext by default', () => {
  expect(configFromEnv({}, { hostname: 'h' })).toMatchObject({ zkMemberTlsDir: '', zkSuperUser: '' });
  expect(
    configFromEnv(
      {
        WHARF_DIRECTOR_ZK_TLS_DIR: '/w/zookeeper-tls',
        WHARF_DIRECTOR_ZK_SUPER_USER: 'CN=h,OU=director,O=Wharf',
      },
      { hostname: 'h' },
    ),
  ).toMatchObject({ zkMemberTlsDir: '/w/zookeeper-tls', zkSuperUser: 'CN=h,OU=director,O=Wharf' });
});

test('the enrolment certificate names loopback, the bind address and the extra names', () => {
  expect(sansOf('10.0.0.5', ['director.example.com'])).toEqual({
    dns: ['localhost', 'director.example.com'],
    ips: ['10.0.0.5', '127.0.0.1'],
  });
  expect(sansOf('0.0.0.0', [])).toEqual({ dns: ['localhost'], ips: ['127.0.0.1'] });
});
