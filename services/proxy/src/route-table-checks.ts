/**
 * The bounds and the timestamp check of a route document (`RouteEntrySchema` in `@wharf/model`),
 * shared by the shape check of a parsed value (`route-table-parse.ts`) and the scanner that reads
 * the common form in place (`route-table-scan.ts`).
 */

/** `host` and bounded strings of the schema (`Str(255)`). */
export const MAX_HOST_LENGTH = 255;
/** `updated` (`Timestamp()`: date-time, maxLength 64). */
export const MAX_TIMESTAMP_LENGTH = 64;
/** `instances` (`maxItems`). */
export const MAX_INSTANCES = 256;
export const MAX_PORT = 65535;

const ZERO = 48; // '0'
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RFC 3339 in UTC (`YYYY-MM-DDThh:mm:ss[.f+]Z`), read character by character: the regex with three
 * captures and their `Number()` conversions was ~5% of a 10,000-route first load.
 */
export function isUtcTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_LENGTH || value.length < 20) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if ((year | month | day | hour | minute | second) < 0) return false;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T') return false;
  if (value[13] !== ':' || value[16] !== ':' || value[value.length - 1] !== 'Z') return false;
  if (hour > 23 || minute > 59 || second > 59 || !isFraction(value, 19, value.length - 1)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0));
}

/** The decimal number in `count` ASCII digits of `value` from `start`, or -1. */
function digits(value: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = value.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** True when `value[start, end)` is empty or a `.` and one or more digits. */
function isFraction(value: string, start: number, end: number): boolean {
  if (start === end) return true;
  if (value[start] !== '.' || end - start < 2) return false;
  // Too many digits for an exact number is still a number: only a non-digit gives -1.
  return digits(value, start + 1, end - start - 1) >= 0;
}
