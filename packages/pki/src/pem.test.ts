import { MAX_PEM_CHARS, pemBlocksOf, singlePem, splitPem } from './pem';

const block = (type: string, body = 'QUJD'): string =>
  `-----BEGIN ${type}-----\r\n${body}\r\n-----END ${type}-----`;

describe('PEM', () => {
  test('splits bundles, ignores text between blocks, normalizes line ends', () => {
    const text = `subject=CN=x\n${block('CERTIFICATE')}\nissuer=CN=y\n${block('CERTIFICATE', 'REVG')}\n${block('PRIVATE KEY')}`;
    const blocks = splitPem(Buffer.from(text));
    expect(blocks.map((b) => b.type)).toEqual(['CERTIFICATE', 'CERTIFICATE', 'PRIVATE KEY']);
    expect(blocks[0]!.pem).toBe('-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n');
    expect(pemBlocksOf(text, 'CERTIFICATE')).toHaveLength(2);
    expect(singlePem(text, 'PRIVATE KEY')).toContain('PRIVATE KEY');
  });

  test('refuses text without blocks, several where one is expected, non-base64 and oversize input', () => {
    expect(() => splitPem('hello', 'ca')).toThrow(/invalid ca: no PEM block/);
    expect(() => singlePem(`${block('CERTIFICATE')}\n${block('CERTIFICATE')}`, 'CERTIFICATE')).toThrow(
      /exactly one/,
    );
    expect(() => splitPem(block('CERTIFICATE', 'ab$cd'))).toThrow(/not base64/);
    expect(() => splitPem('x'.repeat(MAX_PEM_CHARS + 1))).toThrow(/longer than/);
  });

  test('never quotes the input in errors (it may be a key)', () => {
    expect.assertions(2);
    try {
      singlePem(block('PRIVATE KEY', 'c2VjcmV0'), 'CERTIFICATE', 'cert');
    } catch (err) {
      expect(JSON.stringify(err)).not.toContain('c2VjcmV0');
      expect(String(err)).not.toContain('c2VjcmV0');
    }
  });
});
