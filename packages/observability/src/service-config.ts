/**
 * One way for every service to turn its environment into a frozen config: a table of the
 * variables it reads (name, description, default, parser) that both parses (`configFromEnv`,
 * every bad variable reported at once) and documents (`renderHelp` for `--help`), plus the
 * `<service>-<hostname>-<pid>` default id. `main.ts` passes `process.env` in.
 */
import { WharfError } from '@wharf/model';
import { renderEnvHelp } from './env';

/** Longest id (a DNS label, as `isValidId` allows). */
export const MAX_ID_LENGTH = 63;

/** Thrown by an {@link EnvParser} for a value it refuses; the message says what is expected. */
export class EnvValueError extends Error {}

/** Turns a variable's trimmed value (or the row's default) into a setting; throws {@link EnvValueError}. */
export type EnvParser<T> = (raw: string) => T;

/** One variable a service reads. */
export interface EnvRow<T> {
  /** The environment variable, e.g. `WHARF_ZK`. */
  readonly name: string;
  readonly description: string;
  /** Used when unset or blank, and shown by `--help` (`''` is shown as `none`). */
  readonly default: string;
  /** Shown by `--help` instead of `default` when that is computed (`constructor-<hostname>-<pid>`). */
  readonly shownDefault?: string;
  readonly parse: EnvParser<T>;
}

/** A config's variables: one row per setting, keyed by the setting's name in the config. */
export type EnvTable<C> = { readonly [K in keyof C]: EnvRow<C[K]> };

/** A bad variable, as reported in `details` (`path` and `variable` both name it). */
export interface EnvProblem {
  readonly path: string;
  readonly variable: string;
  readonly message: string;
}

/**
 * Parses every row of `table` from `env` (trimmed; unset or blank → the row's default) into a
 * frozen config. Throws `WHARF_VALIDATION` ("invalid <what>: NAME: message") with every bad
 * variable in `details`, so an operator fixes them all in one go.
 */
export function configFromEnv<C>(
  table: EnvTable<C>,
  env: Readonly<Record<string, string | undefined>>,
  what: string,
): Readonly<C> {
  const config: Partial<C> = {};
  const problems: EnvProblem[] = [];
  for (const key of Object.keys(table) as (keyof C & string)[]) {
    const row = table[key];
    const value = env[row.name]?.trim();
    try {
      config[key] = row.parse(value === undefined || value === '' ? row.default : value);
    } catch (err) {
      if (!(err instanceof EnvValueError)) throw err;
      problems.push({ path: row.name, variable: row.name, message: err.message });
    }
  }
  if (problems.length > 0) throw invalidConfig(what, problems);
  return Object.freeze(config as C);
}

/** The `WHARF_VALIDATION` error of a bad config (also for checks across variables). */
export function invalidConfig(what: string, problems: readonly EnvProblem[]): WharfError {
  const first = problems[0];
  const summary = first ? `: ${first.variable}: ${first.message}` : '';
  return new WharfError('WHARF_VALIDATION', `invalid ${what}${summary}`, { details: [...problems] });
}

/** What a `--help` text says besides the variables. */
export interface HelpText {
  /** First line: `wharf-<service>: what it does`. */
  readonly title: string;
  /** `Usage: ...` lines. */
  readonly usage: readonly string[];
  /** Lines between the usage and the variables (flags, a description). */
  readonly intro?: readonly string[];
  /** Lines after the variables (endpoints, first-start notes). */
  readonly notes?: readonly string[];
  /** Column the variable names are padded to; default the longest name. */
  readonly nameWidth?: number;
}

/** The `--help` text of a service: title, usage, its variables with defaults, notes. */
export function renderHelp(table: EnvTable<unknown> | readonly EnvRow<unknown>[], text: HelpText): string {
  const rows = Array.isArray(table) ? table : Object.values(table as Record<string, EnvRow<unknown>>);
  const help = renderEnvHelp(
    rows.map((row: EnvRow<unknown>) => ({
      name: row.name,
      fallback: row.shownDefault ?? row.default,
      description: row.description,
    })),
    text.nameWidth === undefined ? {} : { nameWidth: text.nameWidth },
  );
  return [
    text.title,
    '',
    ...text.usage,
    '',
    ...(text.intro ? [...text.intro, ''] : []),
    'Environment:',
    ...help,
    '',
    ...(text.notes ? [...text.notes, ''] : []),
  ].join('\n');
}

/**
 * The default id of a process: `<prefix>-<hostname>-<pid>` (or without the parts not given),
 * lowercased and reduced to the id alphabet; the host part is shortened so the pid always
 * survives the {@link MAX_ID_LENGTH} limit.
 */
export function defaultId(parts: { prefix?: string; hostname: string; pid?: number }): string {
  const suffix = parts.pid === undefined ? '' : `-${parts.pid}`;
  const host = idAlphabet(parts.hostname) || 'host';
  const head = idAlphabet(parts.prefix === undefined ? host : `${parts.prefix}-${host}`)
    .slice(0, MAX_ID_LENGTH - suffix.length)
    .replace(/-+$/, '');
  return `${head}${suffix}`;
}

function idAlphabet(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}
