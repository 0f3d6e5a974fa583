/**
 * Security headers of every page the api serves to a browser. The CSP allows scripts, styles and
 * connections only from the api's own origin, with no 'unsafe-inline' and no 'unsafe-eval' (the
 * console's validators are compiled at build time for that reason); `data:` images only for the
 * empty favicon. No CORS header is ever set: the console is same-origin and other origins are refused
 * by the browser.
 */
import { type Response } from 'express';

/** The console's Content-Security-Policy. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the CSP (default {@link CONSOLE_CSP}) and the other browser-hardening headers. */
export function setPageHeaders(res: Response, csp: string = CONSOLE_CSP): void {
  res.setHeader('content-security-policy', csp);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}
