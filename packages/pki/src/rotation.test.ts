import { MIN_RENEW_BEFORE_MS, renewAt, renewalDecision } from './rotation';

const DAY = 24 * 60 * 60 * 1000;
const start = new Date('2030-01-01T00:00:00Z');
const at = (days: number): Date => new Date(start.getTime() + days * DAY);

describe('rotation decisions', () => {
  test('a one-year certificate is renewed when a third of it remains', () => {
    const cert = { notBefore: start, notAfter: at(360) };
    expect(renewAt(cert)).toEqual(at(240));
    expect(renewalDecision(cert, at(239)).action).toBe('keep');
    expect(renewalDecision(cert, at(240)).action).toBe('renew');
    expect(renewalDecision(cert, at(360)).action).toBe('expired');
    expect(renewalDecision(cert, at(-1)).action).toBe('not-yet-valid');
  });

  test('short certificates renew at least a week ahead (or at once)', () => {
    expect(renewAt({ notBefore: start, notAfter: at(14) })).toEqual(
      new Date(at(14).getTime() - MIN_RENEW_BEFORE_MS),
    );
    expect(renewAt({ notBefore: start, notAfter: at(3) })).toEqual(start);
  });

  test('reports seconds to expiry, negative after', () => {
    const cert = { notBefore: start, notAfter: at(1) };
    expect(renewalDecision(cert, start).expirySeconds).toBe(86_400);
    expect(renewalDecision(cert, at(2)).expirySeconds).toBe(-86_400);
  });
});
