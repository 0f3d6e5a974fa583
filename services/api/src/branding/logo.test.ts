import { MAX_LOGO_BYTES } from '@wharf/model';
import { parseLogo } from './logo';

const dataUrl = (type: string, bytes: Buffer | string) =>
  `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
/** The smallest PNG header a browser would start decoding: signature, then the IHDR chunk. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(17),
]);

describe('parseLogo', () => {
  it('keeps an SVG or PNG data URL as base64 with its media type and digest', () => {
    const svg = parseLogo(dataUrl('image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'));
    expect(svg).toEqual({ logo: expect.objectContaining({ media_type: 'image/svg+xml' }) });
    const png = parseLogo(dataUrl('image/png', PNG));
    expect(png).toEqual({
      logo: {
        media_type: 'image/png',
        base64: PNG.toString('base64'),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
  });

  it.each([
    ['another media type', dataUrl('image/gif', 'GIF89a'), 'base64 data URL'],
    ['a URL', 'https://example.com/logo.svg', 'base64 data URL'],
    ['malformed base64', 'data:image/png;base64,abc', 'malformed base64'],
    ['a PNG that is not one', dataUrl('image/png', '<svg/>'), 'not a PNG'],
    ['an SVG that is not UTF-8', dataUrl('image/svg+xml', Buffer.from([0xff, 0xfe, 0x3c])), 'UTF-8'],
    ['an SVG with script', dataUrl('image/svg+xml', '<svg><script>x</script></svg>'), '<script>'],
    [
      'a logo over 64 KiB',
      dataUrl('image/png', Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)])),
      'at most 65536',
    ],
  ])('refuses %s', (_what, value, message) => {
    const result = parseLogo(value);
    expect('problem' in result && result.problem).toContain(message);
  });
});
