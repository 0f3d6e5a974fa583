import { createTestTls } from '@wharf/testkit';
import { certificateExpirySeconds } from './certificate-expiry';

describe('certificateExpirySeconds', () => {
  it("reads a PEM certificate's notAfter as Unix seconds", async () => {
    const tls = await createTestTls();
    const pem = String((await tls.client()).cert);
    const expiry = certificateExpirySeconds(pem);
    expect(expiry).toBeGreaterThan(Date.now() / 1000);
    expect(expiry).toBeLessThan(Date.now() / 1000 + 20 * 365 * 86_400);
  });

  it('is undefined for anything that is not a certificate', () => {
    expect(certificateExpirySeconds('')).toBeUndefined();
    expect(
      certificateExpirySeconds('-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----'),
    ).toBeUndefined();
  });
});
