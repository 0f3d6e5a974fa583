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
});

test('the enrolment certificate names loopback, the bind address and the extra names', () => {
  expect(sansOf('10.0.0.5', ['director.example.com'])).toEqual({
    dns: ['localhost', 'director.example.com'],
    ips: ['10.0.0.5', '127.0.0.1'],
  });
  expect(sansOf('0.0.0.0', [])).toEqual({ dns: ['localhost'], ips: ['127.0.0.1'] });
});
