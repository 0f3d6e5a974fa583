/** Everything a service's `config.ts` needs from this package, as one import. */
import { commonEnvRows, envParsers } from './env-parsers';
import { EnvValueError, configFromEnv, defaultId, invalidConfig, renderHelp } from './service-config';

/** The shared service config: `configFromEnv`, `renderHelp`, `defaultId`, the common rows and parsers. */
export const serviceConfig = Object.freeze({
  configFromEnv,
  invalidConfig,
  renderHelp,
  defaultId,
  EnvValueError,
  rows: commonEnvRows,
  parsers: envParsers,
});
