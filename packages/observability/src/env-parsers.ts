/** The parsers the services' {@link EnvTable}s share; each throws {@link EnvValueError} with what it expects. */
import { isValidId } from '@wharf/model';
import { integerIn } from './env';
import { isLogLevel, type LogLevel } from './logger';
import { EnvValueError, type EnvParser } from './service-config';

/** The value as it is. */
const text: EnvParser<string> = (raw) => raw;

/** A valid id (a lowercase DNS label). */
const validId: EnvParser<string> = (raw) => {
  if (!isValidId(raw)) throw new EnvValueError('must be a valid id');
  return raw;
};

/** A log level. */
const logLevel: EnvParser<LogLevel> = (raw) => {
  if (!isLogLevel(raw)) throw new EnvValueError('unknown level');
  return raw;
};

/** An integer in `[min, max]`. */
function integer(min: number, max: number): EnvParser<number> {
  return (raw) => {
    const n = integerIn(raw, min, max);
    if (n === undefined) throw new EnvValueError(`must be an integer ${min}-${max}`);
    return n;
  };
}

/** A port number (0: any free port). */
const port: EnvParser<number> = integer(0, 65535);

/** One of `values`. */
function oneOf<T extends string>(values: readonly T[]): EnvParser<T> {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw))
      throw new EnvValueError(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
}

/** A ZooKeeper connect string (`host:port,...`), which takes no chroot: that is its own variable. */
const zkConnect: EnvParser<string> = (raw) => {
  if (raw.includes('/')) throw new EnvValueError('host:port list without a chroot');
  return raw;
};

/** The shared parsers, for `EnvTable` rows: `envParsers.port`, `envParsers.integer(1, 10)`, … */
export const envParsers = Object.freeze({ text, validId, logLevel, integer, port, oneOf, zkConnect });

/** Rows every service's table has (spread and override `description` or `parse` where they differ). */
export const commonEnvRows = Object.freeze({
  zk: {
    name: 'WHARF_ZK',
    default: '127.0.0.1:2181',
    description: 'ZooKeeper connect string (host:port,...)',
    parse: text,
  },
  zkChroot: {
    name: 'WHARF_ZK_CHROOT',
    default: '/wharf',
    description: 'ZooKeeper chroot of the installation',
    parse: text,
  },
  home: { name: 'WHARF_HOME', default: './.wharf', description: 'state directory', parse: text },
  logLevel: {
    name: 'WHARF_LOG_LEVEL',
    default: 'info',
    description: 'error | warn | info | debug',
    parse: logLevel,
  },
});
