import { recordedApi, resolveApiCa } from './api-ca';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const record = {
  schema_version: 1,
  home: '/h',
  started: '2026-12-07T00:00:00.000Z',
  supervisor_pid: 10,
  detached: true,
  zookeeper: { connect_string: '127.0.0.1:2181', embedded: true, tls: true },
  api_url: 'https://127.0.0.1:12400',
  api_ca: '/h/hosts/host-1/ca/ca.pem',
  proxy_urls: [],
  services: [],
};
const files: Record<string, string> = {
  '/h/run/platform.json': JSON.stringify(record),
  '/h/hosts/host-1/ca/ca.pem': PEM,
  '/flag.pem': PEM.replace('MIIB', 'FLAG'),
  '/env.pem': PEM.replace('MIIB', 'ENV'),
  '/not-a-cert.pem': 'hello',
};
const read = (file: string) => files[file];

describe('the CLI finds the api and its CA', () => {
  it('reads api_url and api_ca from platform.json; nothing from a missing or broken file', () => {
    expect(recordedApi('/h', read)).toEqual({
      url: 'https://127.0.0.1:12400',
      caFile: '/h/hosts/host-1/ca/ca.pem',
    });
    expect(recordedApi('/other', read)).toEqual({});
    expect(recordedApi('/h', () => '{not json')).toEqual({});
  });

  it('trusts --ca, then WHARF_API_CA, then the recorded CA; none means the system roots', () => {
    const recorded = recordedApi('/h', read);
    expect(resolveApiCa('/flag.pem', { WHARF_API_CA: '/env.pem' }, recorded, read)?.source).toBe('/flag.pem');
    expect(resolveApiCa(undefined, { WHARF_API_CA: '/env.pem' }, recorded, read)?.source).toBe('/env.pem');
    expect(resolveApiCa(undefined, { WHARF_API_CA: '' }, recorded, read)).toEqual({
      pem: PEM,
      source: '/h/hosts/host-1/ca/ca.pem',
    });
    expect(resolveApiCa(undefined, {}, {}, read)).toBeUndefined();
  });

  it('a named CA file that is missing or not a certificate is an error, not a silent fallback', () => {
    expect(() => resolveApiCa('/missing.pem', {}, {}, read)).toThrow(
      expect.objectContaining({ code: 'WHARF_VALIDATION', message: expect.stringContaining('--ca') }),
    );
    expect(() => resolveApiCa(undefined, { WHARF_API_CA: '/not-a-cert.pem' }, {}, read)).toThrow(
      expect.objectContaining({ code: 'WHARF_VALIDATION', message: expect.stringContaining('WHARF_API_CA') }),
    );
  });
});
