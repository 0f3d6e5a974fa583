/** Amounts as text, exactly: money is never a floating-point number in the console. */

/** A micros amount as currency text, exact (no floating point on money). */
export function money(micros: string, currency: string): string {
  const negative = micros.startsWith('-');
  const digits = (negative ? micros.slice(1) : micros).padStart(7, '0');
  const whole = digits.slice(0, -6);
  const cents = digits.slice(-6, -4);
  return `${negative ? '-' : ''}${whole}.${cents} ${currency}`;
}
