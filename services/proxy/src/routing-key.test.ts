import type { IncomingMessage } from 'node:http';
import { hostnameOf, normaliseDomain, routingKeyOf, routingKeyOfRequest } from './routing-key';

const key = (headers: Record<string, string>, domain = 'localhost') => routingKeyOf(headers, domain);

describe('routingKeyOf', () => {
  it.each([
    ['abc123.localhost', 'abc123'],
    ['abc123.localhost:9200', 'abc123'],
    ['ABC123.LocalHost:9200', 'abc123'],
    ['abc123.localhost.', 'abc123'],
    ['abc123.localhost.:9200', 'abc123'],
    ['  abc-1.localhost  ', 'abc-1'],
  ])('takes the deployment from Host %j', (host, id) => {
    expect(key({ host })).toEqual({ kind: 'deployment', deploymentId: id, source: 'host' });
  });

  it('works with a multi-label domain', () => {
    expect(key({ host: 'dep1.wharf.example.com:443' }, 'wharf.example.com')).toEqual({
      kind: 'deployment',
      deploymentId: 'dep1',
      source: 'host',
    });
  });

  it.each([
    'localhost',
    'localhost:9200',
    '127.0.0.1:9200',
    '[::1]:9200',
    'a.b.localhost',
    'dep1.example.com',
    '.localhost',
    '',
  ])('finds no deployment in Host %j', (host) => {
    expect(key({ host })).toEqual({ kind: 'none' });
  });

  it('finds no deployment without a Host header', () => {
    expect(routingKeyOf({}, 'localhost')).toEqual({ kind: 'none' });
  });

  it('reports a Host label that cannot be an id', () => {
    expect(key({ host: 'bad_id.localhost' })).toEqual({ kind: 'invalid', source: 'host', value: 'bad_id' });
    expect(key({ host: '-x.localhost' })).toEqual({ kind: 'invalid', source: 'host', value: '-x' });
  });

  it('prefers X-Wharf-Deployment over Host', () => {
    expect(key({ host: 'other.localhost', 'x-wharf-deployment': 'Dep1' })).toEqual({
      kind: 'deployment',
      deploymentId: 'dep1',
      source: 'header',
    });
    expect(key({ host: '10.0.0.1', 'x-wharf-deployment': 'dep1' })).toEqual({
      kind: 'deployment',
      deploymentId: 'dep1',
      source: 'header',
    });
  });

  it.each(['../etc', 'a b', 'dep1, dep2', 'x'.repeat(64), 'ü'])('rejects the header value %j', (value) => {
    const result = key({ host: 'dep1.localhost', 'x-wharf-deployment': value });
    expect(result).toMatchObject({ kind: 'invalid', source: 'header' });
  });

  it('ignores an empty header', () => {
    expect(key({ host: 'dep1.localhost', 'x-wharf-deployment': '' })).toMatchObject({ deploymentId: 'dep1' });
  });
});

describe('hostnameOf / normaliseDomain', () => {
  it('strips ports and trailing dots and lowercases', () => {
    expect(hostnameOf('A.B:80')).toBe('a.b');
    expect(hostnameOf('[::1]:9200')).toBe('[::1]');
    expect(hostnameOf('a.b.')).toBe('a.b');
    expect(normaliseDomain(' Example.COM. ')).toBe('example.com');
  });
});

describe('routingKeyOfRequest', () => {
  const req = (headers: Record<string, string>, servername?: string) =>
    ({ headers, socket: { servername } }) as unknown as IncomingMessage;

  it('reads `:authority` (HTTP/2) when there is no Host', () => {
    expect(routingKeyOfRequest(req({ ':authority': 'dep1.localhost:9243' }), 'localhost')).toMatchObject({
      deploymentId: 'dep1',
    });
  });

  it('falls back to SNI only when the headers name no deployment', () => {
    expect(routingKeyOfRequest(req({ host: '127.0.0.1:9243' }, 'dep2.localhost'), 'localhost')).toMatchObject(
      {
        deploymentId: 'dep2',
      },
    );
    expect(routingKeyOfRequest(req({ host: 'dep1.localhost' }, 'dep2.localhost'), 'localhost')).toMatchObject(
      {
        deploymentId: 'dep1',
      },
    );
    expect(routingKeyOfRequest(req({ host: '127.0.0.1' }), 'localhost')).toEqual({ kind: 'none' });
  });
});
