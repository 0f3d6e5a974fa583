import { clientResponseHeaders, upstreamRequestHeaders } from './headers';

const hop = { remoteAddress: '10.0.0.7', proto: 'http' as const };
const pairs = (raw: string[]) =>
  Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i], raw[2 * i + 1]]);

describe('upstreamRequestHeaders', () => {
  it('keeps Host and end-to-end headers (case, order, repeats) and adds X-Forwarded-*', () => {
    const out = upstreamRequestHeaders(
      ['Host', 'dep1.localhost:9200', 'Accept', '*/*', 'Cookie', 'a=1', 'cookie', 'b=2'],
      hop,
    );
    expect(pairs(out)).toEqual([
      ['Host', 'dep1.localhost:9200'],
      ['Accept', '*/*'],
      ['Cookie', 'a=1'],
      ['cookie', 'b=2'],
      ['x-forwarded-for', '10.0.0.7'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'dep1.localhost:9200'],
    ]);
  });

  it('appends to X-Forwarded-For and keeps a balancer’s X-Forwarded-Proto/-Host', () => {
    const out = upstreamRequestHeaders(
      [
        'host',
        'dep1.example.com',
        'X-Forwarded-For',
        '203.0.113.9',
        'x-forwarded-for',
        '198.51.100.2',
        'X-Forwarded-Proto',
        'https',
        'X-Forwarded-Host',
        'dep1.example.com:443',
      ],
      hop,
    );
    expect(pairs(out)).toEqual([
      ['host', 'dep1.example.com'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', 'dep1.example.com:443'],
      ['x-forwarded-for', '203.0.113.9, 198.51.100.2, 10.0.0.7'],
    ]);
  });

  it('drops hop-by-hop headers, including those Connection names', () => {
    const out = upstreamRequestHeaders(
      [
        'Host',
        'h',
        'Connection',
        'close, X-Secret-Hop',
        'Keep-Alive',
        'timeout=5',
        'Proxy-Connection',
        'keep-alive',
        'Upgrade',
        'websocket',
        'Trailer',
        'x-sum',
        'X-Secret-Hop',
        '1',
        'Transfer-Encoding',
        'chunked',
      ],
      hop,
    );
    const names = pairs(out).map(([name]) => name);
    expect(names).toEqual([
      'Host',
      'Transfer-Encoding',
      'x-forwarded-for',
      'x-forwarded-proto',
      'x-forwarded-host',
    ]);
  });
});

describe('clientResponseHeaders', () => {
  const response = { instanceId: 'dep1-main-0', deploymentId: 'dep1', close: false, http10: false };

  it('drops the instance’s connection headers and adds the handling headers', () => {
    const out = clientResponseHeaders(
      [
        'Content-Type',
        'application/json',
        'Connection',
        'close',
        'Keep-Alive',
        'timeout=5',
        'Content-Length',
        '2',
      ],
      response,
    );
    expect(pairs(out)).toEqual([
      ['Content-Type', 'application/json'],
      ['Content-Length', '2'],
      ['x-wharf-handling-instance', 'dep1-main-0'],
      ['x-wharf-handling-deployment', 'dep1'],
    ]);
  });

  it('asks the client to close while draining and drops chunking for HTTP/1.0 clients', () => {
    const out = clientResponseHeaders(['Transfer-Encoding', 'chunked'], {
      ...response,
      close: true,
      http10: true,
    });
    expect(pairs(out)).toEqual([
      ['x-wharf-handling-instance', 'dep1-main-0'],
      ['x-wharf-handling-deployment', 'dep1'],
      ['connection', 'close'],
    ]);
    expect(pairs(clientResponseHeaders(['Transfer-Encoding', 'chunked'], response))[0]).toEqual([
      'Transfer-Encoding',
      'chunked',
    ]);
  });
});
