import { signPayload, verifySignature } from './signature';
import { createHmac } from 'node:crypto';

describe('webhook signatures', () => {
  const body = '{"id":"evt_0123456789abcdef01234567","type":"plan-failed"}';

  it('are the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret', () => {
    const expected = createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex');
    expect(signPayload('s3cret', 1_700_000_000, body)).toBe(`sha256=${expected}`);
  });

  it('verify for the same secret, body and a fresh timestamp only', () => {
    const sig = signPayload('s3cret', 1_700_000_000, body);
    expect(verifySignature('s3cret', 1_700_000_000, body, sig, 1_700_000_010)).toBe(true);
    expect(verifySignature('other', 1_700_000_000, body, sig, 1_700_000_010)).toBe(false);
    expect(verifySignature('s3cret', 1_700_000_000, `${body} `, sig, 1_700_000_010)).toBe(false);
    // A replay with a new timestamp does not match; with the old one it is too old.
    expect(verifySignature('s3cret', 1_700_000_900, body, sig, 1_700_000_900)).toBe(false);
    expect(verifySignature('s3cret', 1_700_000_000, body, sig, 1_700_000_900)).toBe(false);
  });
});
