import { expirySeconds, type CertificateInfo } from './inspect';

/**
 * Re-issue once less than this fraction of a certificate's lifetime remains: a one-year
 * certificate is renewed after eight months, a 90-day one after 60 days — the Let's Encrypt
 * rhythm, which leaves room for several failed rotation runs before anything expires.
 */
export const RENEW_REMAINING_FRACTION = 1 / 3;

/**
 * …but never later than this before expiry, whatever the lifetime: a week is enough for an
 * operator to notice a failing rotation (the expiry metric alerts) and fix it.
 */
export const MIN_RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What to do with a certificate now:
 * - `keep`: valid, not due;
 * - `renew`: still valid, inside the renewal window: re-issue (without downtime: the old one works);
 * - `expired`: past `notAfter`: re-issue, and expect connections with it to be refused meanwhile;
 * - `not-yet-valid`: before `notBefore` (clock skew beyond the allowance, or a bad clock).
 */
export type RenewalAction = 'keep' | 'renew' | 'expired' | 'not-yet-valid';

/** A rotation decision with the figures behind it. */
export interface RenewalDecision {
  readonly action: RenewalAction;
  /** When the certificate enters its renewal window. */
  readonly renewAt: Date;
  /** Seconds until expiry (negative after): `wharf_certificate_expiry_seconds`. */
  readonly expirySeconds: number;
}

/** When a certificate valid from `notBefore` to `notAfter` should be renewed. Pure. */
export function renewAt(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>): Date {
  const start = info.notBefore.getTime();
  const end = info.notAfter.getTime();
  const byFraction = end - (end - start) * RENEW_REMAINING_FRACTION;
  return new Date(Math.max(start, Math.min(byFraction, end - MIN_RENEW_BEFORE_MS)));
}

/** Decides whether `info` needs re-issuing at `now`. Pure: the caller's loop injects `now`. */
export function renewalDecision(
  info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>,
  now: Date,
): RenewalDecision {
  const at = renewAt(info);
  const t = now.getTime();
  let action: RenewalAction = 'keep';
  if (t < info.notBefore.getTime()) action = 'not-yet-valid';
  else if (t >= info.notAfter.getTime()) action = 'expired';
  else if (t >= at.getTime()) action = 'renew';
  return Object.freeze({ action, renewAt: at, expirySeconds: expirySeconds(info, now) });
}
