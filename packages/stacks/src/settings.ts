/** Reading `user_settings` values with validation; every failure is `WHARF_VALIDATION` naming the key. */
import { WharfError } from '@wharf/model';

function invalid(key: string, message: string): WharfError {
  return new WharfError('WHARF_VALIDATION', `user_settings.${key} ${message}`, {
    details: [{ path: `user_settings.${key}`, message }],
  });
}

/** Throws unless every key of `settings` is one of `known` (a typo must not be silently ignored). */
export function assertKnownKeys(settings: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(settings)) {
    if (!known.includes(key))
      throw invalid(key, `is not a setting of this stack (known: ${known.join(', ')})`);
  }
}

/** An integer setting within [min, max], or `fallback` when absent. */
export function integerSetting(
  settings: Record<string, unknown>,
  key: string,
  bounds: { min: number; max: number },
  fallback: number,
): number {
  const value = settings[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw invalid(key, `must be an integer from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}

/** A string setting matching `pattern`, or `fallback` when absent. */
export function stringSetting<T extends string | undefined>(
  settings: Record<string, unknown>,
  key: string,
  pattern: RegExp,
  fallback: T,
): string | T {
  const value = settings[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) throw invalid(key, `must match ${String(pattern)}`);
  return value;
}

/** A list-of-strings setting, or undefined when absent. */
export function stringListSetting(settings: Record<string, unknown>, key: string): string[] | undefined {
  const value = settings[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(key, 'must be an array of strings (an argv), never a shell string');
  }
  return [...(value as string[])];
}

/** `WHARF_VALIDATION` for `key` (for checks the helpers above do not cover). */
export function invalidSetting(key: string, message: string): WharfError {
  return invalid(key, message);
}
