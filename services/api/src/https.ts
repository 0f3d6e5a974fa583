/**
 * HTTPS for the api (issue 11 §5): the certificate and key are PEM files the operator or the
 * platform gives (`WHARF_API_TLS_CERT`, `WHARF_API_TLS_KEY`), typically issued by the
 * installation's CA. Rotation needs no restart: the files are checked every few seconds and, once
 * both parse as a matching pair, new connections get the new certificate (`setSecureContext`);
 * established connections keep the one they negotiated. A half-written pair (the certificate
 * rewritten, the key not yet) is not taken: the old context stays until the pair is whole
 * (`@wharf/observability` pem-pair, shared with the proxy's TLS port).
 * The key is read into memory and never logged.
 */
import { type Server as HttpsServer } from 'node:https';
import {
  type LoadedPemPair,
  type Logger,
  PEM_PAIR_RELOAD_INTERVAL_MS,
  readPemPair,
  watchPemPair,
} from '@wharf/observability';

/** How often the files are checked for a rotation. */
export const TLS_RELOAD_INTERVAL_MS = PEM_PAIR_RELOAD_INTERVAL_MS;

/** Where the serving certificate lives. */
export interface ApiTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A certificate and key as read, with what identifies this version of the files. */
export type LoadedPair = LoadedPemPair;

const settings = (files: ApiTlsFiles) => ({
  ...files,
  certSetting: 'WHARF_API_TLS_CERT',
  keySetting: 'WHARF_API_TLS_KEY',
});

/** Reads both files and checks they form a usable pair (throws `WHARF_VALIDATION` naming the variable). */
export function loadPair(files: ApiTlsFiles): Promise<LoadedPair> {
  return readPemPair(settings(files));
}

/** Starts checking the files; returns the function that stops it. */
export function watchPair(
  server: HttpsServer,
  files: ApiTlsFiles,
  current: LoadedPair,
  logger: Logger,
  intervalMs: number = TLS_RELOAD_INTERVAL_MS,
): () => void {
  return watchPemPair({
    files: settings(files),
    current,
    intervalMs,
    onChange: (next) => {
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
      logger.info('api certificate reloaded', { cert: files.certFile });
    },
    // Kept serving the old certificate: a rotation in progress, or a broken file the operator fixes.
    onError: (err) =>
      logger.warn('api certificate not reloaded', { reason: err.message, cert: files.certFile }),
  });
}
