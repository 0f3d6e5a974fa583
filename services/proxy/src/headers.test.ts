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

describe('HTTP/2 clients', () => {
  it('sends `:authority` upstream as Host and drops the other pseudo-headers', () => {
    const out = upstreamRequestHeaders(
      [
        ':method',
        'GET',
        ':path',
        '/x',
        ':scheme',
        'https',
        ':authority',
        'dep1.example.com',
        'accept',
        '*/*',
      ],
      { remoteAddress: '10.0.0.7', proto: 'https' },
    );
    expect(pairs(out)).toEqual([
      ['accept', '*/*'],
      ['host', 'dep1.example.com'],
      ['x-forwarded-for', '10.0.0.7'],
      ['x-forwarded-proto', 'https'],
      ['x-forwarded-host', 'dep1.example.com'],
    ]);
  });

  it('keeps a Host the client sent next to `:authority`', () => {
    const out = upstreamRequestHeaders([':authority', 'a.example.com', 'Host', 'b.example.com'], hop);
    expect(pairs(out).filter(([n]) => n!.toLowerCase() === 'host')).toEqual([['Host', 'b.example.com']]);
  });

  it('gets no connection-specific response headers (HTTP/2 forbids them)', () => {
    const out = clientResponseHeaders(
      [
        'Content-Type',
        'text/plain',
        'Transfer-Encoding',
        'chunked',
        'Connection',
        'keep-alive, X-Hop',
        'X-Hop',
        '1',
        'Keep-Alive',
        'timeout=5',
        'Upgrade',
        'h2c',
      ],
      { instanceId: 'i1', deploymentId: 'd1', close: true, http10: false, h2: true },
    );
    expect(pairs(out)).toEqual([
      ['content-type', 'text/plain'],
      ['x-wharf-handling-instance', 'i1'],
      ['x-wharf-handling-deployment', 'd1'],
    ]);
  });
});
