/**
 * The documented-environment table every service keeps (one row per variable it reads, printed
 * by `--help`) and the two readers their `config.ts` parse with. Reading `process.env` stays in
 * `main.ts`: these take the environment as an argument.
 */

/** One documented environment variable. */
export interface EnvSetting {
  readonly name: string;
  /** Shown as the default; an empty one is shown as `none`. */
  readonly fallback: string;
  readonly description: string;
}

/** Layout of {@link renderEnvHelp}. */
export interface EnvHelpOptions {
  /** Column the names are padded to; default the longest name. */
  readonly nameWidth?: number;
}

/** The `--help` lines of `rows`: `  NAME  description (default: fallback)`. */
export function renderEnvHelp(rows: readonly EnvSetting[], options: EnvHelpOptions = {}): string[] {
  const width = options.nameWidth ?? Math.max(0, ...rows.map((row) => row.name.length));
  return rows.map(
    (row) => `  ${row.name.padEnd(width)}  ${row.description} (default: ${row.fallback || 'none'})`,
  );
}

/** Reads one variable: trimmed, and `fallback` when unset or blank. */
export type EnvRead = (name: string, fallback: string) => string;

/** A {@link EnvRead} over `env`. */
export function envReader(env: Readonly<Record<string, string | undefined>>): EnvRead {
  return (name, fallback) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
}

/** `value` as an integer in `[min, max]`, or undefined when it is not one. */
export function integerIn(value: string, min: number, max: number): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}
