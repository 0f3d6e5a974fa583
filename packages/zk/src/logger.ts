/** The narrow logger every `@wharf/zk` object takes; the observability package's winston loggers fit it. */
export interface ZkLogger {
  debug(msg: string, meta?: object): void;
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  error(msg: string, meta?: object): void;
}

const noop = (): void => undefined;

/** A logger that drops everything: the default when none is injected. */
export const NOOP_LOGGER: ZkLogger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
