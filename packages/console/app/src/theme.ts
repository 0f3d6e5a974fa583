/**
 * The branding's colour as the page uses it, pure: the primary colour checked again (the page
 * never trusts a value into its styles just because the api sent it) and the ink that stays
 * readable on it.
 */

/** The console's own colours, when no branding is set or it cannot be read. */
export const DEFAULT_PRIMARY = '#1f5f8b';
const LIGHT_INK = '#ffffff';
const DARK_INK = '#1d2430';

/** `#rrggbb` (lower case), as the api stores it; anything else is not applied. */
export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-f]{6}$/.test(value);
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** White or dark text on `primary`, whichever contrasts more. */
export function inkFor(primary: string): string {
  const bg = luminance(primary);
  return contrast(bg, luminance(LIGHT_INK)) >= contrast(bg, luminance(DARK_INK)) ? LIGHT_INK : DARK_INK;
}

/** `primary` where it is readable as text on white (4.5:1, WCAG AA), else the dark ink. */
export function textColorFor(primary: string): string {
  return contrast(luminance(primary), 1) >= 4.5 ? primary : DARK_INK;
}
