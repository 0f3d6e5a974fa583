import { X509Certificate } from 'node:crypto';
import { createRootCa } from './ca';
import { caFingerprint, parseCaFingerprint } from './enrolment';

test('a CA fingerprint is sha256 of its DER, and pins are accepted in either spelling', async () => {
  const ca = await createRootCa();
  const openssl = new X509Certificate(ca.certPem).fingerprint256;
  const pin = caFingerprint(ca.certPem);
  expect(pin).toBe(`sha256:${openssl.replace(/:/g, '').toLowerCase()}`);
  expect(parseCaFingerprint(openssl)).toBe(pin);
  expect(parseCaFingerprint(` SHA256:${pin.slice(7).toUpperCase()} `)).toBe(pin);
  // A CA key is RSA 3072: generating it can outlast jest's 5 s default on a loaded machine.
}, 30_000);

test('a malformed pin is refused naming the field', () => {
  for (const bad of ['', 'sha256:abc', `md5:${'a'.repeat(64)}`, `sha256:${'g'.repeat(64)}`]) {
    expect(() => parseCaFingerprint(bad, '--ca-fingerprint')).toThrow(
      expect.objectContaining({
        code: 'WHARF_VALIDATION',
        details: [expect.objectContaining({ path: '--ca-fingerprint' })],
      }),
    );
  }
});
