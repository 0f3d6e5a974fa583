/**
 * White-label branding against a real ZooKeeper: the public read the sign-in page uses (no key),
 * the platform-admin write, the logo served as an image of its own, and every refusal (an SVG
 * that could act, a logo over 64 KiB, a bad colour, a viewer's key) leaving the znode untouched.
 */
import { paths } from '@wharf/model';
import { useApiHarness } from './helpers/harness';

jest.setTimeout(30_000);

const BRANDING = '/api/v1/platform/configuration/branding';
const KEYS = '/api/v1/platform/configuration/security/api-keys';
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><title>Acme</title><circle cx="12" cy="12" r="10" fill="#c0ffee"/></svg>';
const svgUrl = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
/** A PNG signature and IHDR chunk header, padded to `size` bytes. */
const png = (size: number) =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    Buffer.from('IHDR'),
    Buffer.alloc(size - 16),
  ]);

describe('branding', () => {
  const fixture = useApiHarness('/api-branding');
  const h = () => fixture.h;
  /** The branding znode's data and version, or null when absent. */
  const stored = async () => {
    if ((await h().zk.exists(paths.branding())) === null) return null;
    const node = await h().zk.get(paths.branding());
    return { data: node.data.toString(), version: node.stat.version };
  };
  const put = (body: unknown, key?: string) =>
    h().call('PUT', BRANDING, body, key ? { headers: { authorization: `ApiKey ${key}` } } : {});
  const refusedAt = async (body: unknown, field: string, message: string | RegExp) => {
    const before = await stored();
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WHARF_VALIDATION');
    expect(res.body.error.details[0]).toEqual({ path: field, message: expect.stringMatching(message) });
    expect(await stored()).toEqual(before);
  };

  it('answers the defaults without a key while nothing is set; no logo', async () => {
    const res = await h().call('GET', BRANDING, undefined, { noAuth: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'Wharf', primary_color: '#1f5f8b', logo: null, custom: false });
    expect((await h().call('GET', `${BRANDING}/logo`, undefined, { noAuth: true })).status).toBe(404);
  });

  it('refuses an SVG logo with script, a logo over 64 KiB and a bad colour, writing nothing', async () => {
    const base = { name: 'Acme Cloud', primary_color: '#c0ffee' };
    const script = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    await refusedAt({ ...base, logo: svgUrl(script) }, 'logo', /must not contain <script>/);
    await refusedAt(
      { ...base, logo: svgUrl('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>') },
      'logo',
      /event attribute onload/,
    );
    const big = `data:image/png;base64,${png(64 * 1024 + 1).toString('base64')}`;
    await refusedAt({ ...base, logo: big }, 'logo', /at most 65536 bytes/);
    await refusedAt({ ...base, primary_color: 'red' }, 'primary_color', /must match/);
    await refusedAt({ ...base, name: ' ' }, 'name', /printable text/);
    await refusedAt({ ...base, logo: 'https://example.com/logo.svg' }, 'logo', /base64 data URL/);
    await refusedAt({ ...base, colour: 'blue' }, 'colour', /not allowed/);
    expect(await stored()).toBeNull();
  });

  it("refuses a viewer's key (403) and writes nothing", async () => {
    const viewer = await h().call('POST', KEYS, { description: 'viewer', roles: ['viewer'] });
    expect(viewer.status).toBe(201);
    const res = await put({ name: 'Mine', primary_color: '#000' }, viewer.body.key);
    expect(res.status).toBe(403);
    expect(res.body.error.details).toEqual([{ path: 'authorization', message: 'needs role platform-admin' }]);
    expect(await stored()).toBeNull();
    const read = await h().call('GET', BRANDING, undefined, {
      headers: { authorization: `ApiKey ${viewer.body.key}` },
    });
    expect(read.body.name).toBe('Wharf');
  });

  it('stores valid branding and serves it, and the logo as an image, without a key', async () => {
    const res = await put({ name: 'Acme Cloud', primary_color: '#C0FFEE', logo: svgUrl(LOGO_SVG) });
    expect(res.status).toBe(200);
    expect(JSON.parse((await stored())!.data)).toMatchObject({
      name: 'Acme Cloud',
      primary_color: '#c0ffee',
    });
    const read = await h().call('GET', BRANDING, undefined, { noAuth: true });
    expect(read.body).toEqual({
      name: 'Acme Cloud',
      primary_color: '#c0ffee',
      logo: {
        url: expect.stringMatching(/^\/api\/v1\/platform\/configuration\/branding\/logo\?v=[0-9a-f]{16}$/),
        media_type: 'image/svg+xml',
      },
      custom: true,
    });
    const logo = await h().call('GET', read.body.logo.url, undefined, { noAuth: true });
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(logo.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(logo.text).toBe(LOGO_SVG);
  });

  it('keeps the logo when a PUT omits it, replaces it with a PNG, removes it with null', async () => {
    const kept = await put({ name: 'Acme', primary_color: '#123' });
    expect(kept.body).toMatchObject({
      name: 'Acme',
      primary_color: '#112233',
      logo: { media_type: 'image/svg+xml' },
    });
    const before = await stored();
    await refusedAt(
      { name: 'Acme', primary_color: '#123', logo: svgUrl('<svg><foreignObject/></svg>') },
      'logo',
      /foreignObject/,
    );
    expect(await stored()).toEqual(before);
    const image = png(300);
    const replaced = await put({
      name: 'Acme',
      primary_color: '#123',
      logo: `data:image/png;base64,${image.toString('base64')}`,
    });
    const res = await fetch(`${h().api.url}${replaced.body.logo.url}`);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(image);
    const removed = await put({ name: 'Acme', primary_color: '#123', logo: null });
    expect(removed.body.logo).toBeNull();
    expect((await h().call('GET', `${BRANDING}/logo`, undefined, { noAuth: true })).status).toBe(404);
  });
});
