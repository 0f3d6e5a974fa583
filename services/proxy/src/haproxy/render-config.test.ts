import { isWharfError } from '@wharf/model';
import { renderHaproxyConfig, renderServersMap, type HaproxyConfigInput } from './render-config';

const INPUT: HaproxyConfigInput = {
  host: '127.0.0.1',
  port: 9200,
  controlHost: '127.0.0.1',
  controlPort: 40001,
  domain: 'wharf.test',
  socketPath: '/run/wharf/admin.sock',
  mapPath: '/run/wharf/routes.map',
  serversMapPath: '/run/wharf/servers.map',
  serversPerTier: 2,
  slots: 3,
  threads: 2,
};

describe('renderHaproxyConfig', () => {
  it('routes by the map, falls back to the Node proxy and declares the slot pool', () => {
    const config = renderHaproxyConfig(INPUT);
    expect(config).toContain('  bind 127.0.0.1:9200\n');
    expect(config).toContain('  use_backend %[var(txn.key),map(/run/wharf/routes.map,wharf_control)]\n');
    expect(config).toContain('%[req.hdr(x-wharf-deployment),lower].wharf.test');
    expect(config).toContain('  server node 127.0.0.1:40001\n');
    expect(config.match(/^backend d\d+$/gm)).toEqual(['backend d0', 'backend d1', 'backend d2']);
    expect(config).toContain('  nbthread 2\n');
    expect(config).toMatch(/^ {2}server-template s 1-2 127\.0\.0\.1:1 disabled check .*on-error mark-down$/m);
    expect(config).toMatch(/^ {2}server-template b 1-2 127\.0\.0\.1:1 disabled backup check /m);
    expect(renderHaproxyConfig({ ...INPUT, serverChecks: false })).toContain(
      '  server-template s 1-2 127.0.0.1:1 disabled\n',
    );
    expect(config).toContain('X-Wharf-Handling-Instance %[var(txn.srv),map(/run/wharf/servers.map)]');
  });

  it('lists every slot server as free in the first servers map', () => {
    expect(renderServersMap(2, 1)).toBe('d0/s1 -\nd0/b1 -\nd1/s1 -\nd1/b1 -\n');
  });

  it('refuses input HAProxy would misread, listing every problem', () => {
    let caught: unknown;
    try {
      renderHaproxyConfig({ ...INPUT, domain: 'a b', mapPath: 'relative.map', slots: 0 });
    } catch (err) {
      caught = err;
    }
    expect(isWharfError(caught, 'WHARF_VALIDATION')).toBe(true);
    expect((caught as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
      'domain',
      'mapPath',
      'slots',
    ]);
  });
});
