/**
 * The http stack: any command or image that serves HTTP on the port it is given. The command is
 * an argv from `user_settings.command` (never a shell string) in which `{{port}}`, `{{host}}` and
 * `{{data_dir}}` are replaced per argument; the port is also passed as `PORT`.
 */
import { isWharfError } from '@wharf/model';
import { validateArgv } from '@wharf/runtime';
import { assertVersion, portOf } from '../endpoint';
import { assertKnownKeys, invalidSetting, stringListSetting, stringSetting } from '../settings';
import { type InstanceCommand, type InstanceContext } from '../types';

/** Resource key of the http stack. */
export const HTTP_KIND = 'http';
/** Versions of the http pack's contract (the served program has its own). */
export const HTTP_VERSIONS: readonly string[] = Object.freeze(['1']);
/** The one port, which the proxy routes to. */
export const HTTP_PORT_NAMES: readonly string[] = Object.freeze(['http']);
/** Health path when `health_path` is not set. */
export const DEFAULT_HEALTH_PATH = '/';

const SETTING_KEYS = ['command', 'image', 'health_path'] as const;
/** Origin-form request targets only (no scheme, no host: a probe never leaves the instance). */
const HEALTH_PATH_REGEX = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,1023}$/;
/** Docker image references, loosely (the runtime checks again). */
const IMAGE_REGEX = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/;
const TOKEN_REGEX = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Validated `user_settings` of an http deployment. */
export interface HttpSettings {
  command?: string[];
  image?: string;
  healthPath: string;
}

/** Validates the http pack's `user_settings`: a `command` argv or an `image` (or both), an optional `health_path`. */
export function parseHttpSettings(settings: Record<string, unknown>): HttpSettings {
  assertKnownKeys(settings, SETTING_KEYS);
  const raw = stringListSetting(settings, 'command');
  let command: string[] | undefined;
  if (raw !== undefined) {
    try {
      command = validateArgv(raw);
    } catch (err) {
      throw invalidSetting('command', isWharfError(err) ? err.message : 'is not a valid argv');
    }
    for (const arg of command) substituteTokens(arg, { port: '0', host: '', data_dir: '' });
  }
  const image = stringSetting(settings, 'image', IMAGE_REGEX, undefined);
  if (command === undefined && image === undefined) throw invalidSetting('command', 'or image is required');
  return {
    healthPath: healthPathOf(settings),
    ...(command ? { command } : {}),
    ...(image ? { image } : {}),
  };
}

/** The health path of `settings` (default {@link DEFAULT_HEALTH_PATH}). */
export function healthPathOf(settings: Record<string, unknown>): string {
  return stringSetting(settings, 'health_path', HEALTH_PATH_REGEX, DEFAULT_HEALTH_PATH);
}

/** Replaces `{{name}}` tokens in one argument; an unknown token is a `WHARF_VALIDATION` error, not passed through. */
export function substituteTokens(arg: string, values: Record<string, string>): string {
  return arg.replace(TOKEN_REGEX, (_match, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw invalidSetting('command', `uses unknown token {{${name}}} (known: port, host, data_dir)`);
    return value;
  });
}

/** The command of an http instance (pure). */
export function renderHttpCommand(ctx: InstanceContext): InstanceCommand {
  assertVersion(HTTP_KIND, HTTP_VERSIONS, ctx.version);
  const settings = parseHttpSettings(ctx.settings);
  const port = String(portOf({ name: ctx.instanceId, ports: ctx.ports }, 'http'));
  const host = ctx.bindHost ?? ctx.host;
  const values = { port, host, data_dir: ctx.dataDir };
  const argv = (settings.command ?? []).map((arg) => substituteTokens(arg, values));
  return { argv, env: { PORT: port, HOST: host }, ...(settings.image ? { image: settings.image } : {}) };
}
