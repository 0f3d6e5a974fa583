/**
 * HTTPS for the api (issue 11 §5): the certificate and key are PEM files the operator or the
 * platform gives (`WHARF_API_TLS_CERT`, `WHARF_API_TLS_KEY`), typically issued by the
 * installation's CA. Rotation needs no restart: the files are checked every few seconds and, once
 * both parse as a matching pair, new connections get the new certificate (`setSecureContext`);
 * established connections keep the one they negotiated. A half-written pair (the certificate
 * rewritten, the key not yet) is not taken: the old context stays until the pair is whole.
 * The key is read into memory and never logged.
 */
import { createSecureContext } from 'node:tls';
import { readFile, stat } from 'node:fs/promises';
import { type Server as HttpsServer } from 'node:https';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';

/** How often the files are checked for a rotation. */
export const TLS_RELOAD_INTERVAL_MS = 5_000;

/** Where the serving certificate lives. */
export interface ApiTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A certificate and key as read, with what identifies this version of the files. */
export interface LoadedPair {
  readonly cert: string;
  readonly key: string;
  /** mtimes and sizes of both files: a change here means "read again". */
  readonly stamp: string;
}

/** Reads both files and checks they form a usable pair (throws `WHARF_VALIDATION` naming the variable). */
export async function loadPair(files: ApiTlsFiles): Promise<LoadedPair> {
  const stamp = await stampOf(files);
  const [cert, key] = await Promise.all([
    readFile(files.certFile, 'utf8').catch((err: unknown) => unreadable('WHARF_API_TLS_CERT', err)),
    readFile(files.keyFile, 'utf8').catch((err: unknown) => unreadable('WHARF_API_TLS_KEY', err)),
  ]);
  try {
    // Throws on a key that does not belong to the certificate, or on either not being PEM.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new WharfError(
      'WHARF_VALIDATION',
      'WHARF_API_TLS_CERT and WHARF_API_TLS_KEY are not a matching PEM pair',
      {
        details: { variables: ['WHARF_API_TLS_CERT', 'WHARF_API_TLS_KEY'], reason: (err as Error).message },
      },
    );
  }
  return { cert, key, stamp };
}

/** Starts checking the files; returns the function that stops it. */
export function watchPair(
  server: HttpsServer,
  files: ApiTlsFiles,
  current: LoadedPair,
  logger: Logger,
  intervalMs: number = TLS_RELOAD_INTERVAL_MS,
): () => void {
  let stamp = current.stamp;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void reloadIfChanged()
      .catch((err: unknown) =>
        // Kept serving the old certificate: a rotation in progress, or a broken file the operator fixes.
        logger.warn('api certificate not reloaded', { reason: (err as Error).message, cert: files.certFile }),
      )
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();

  async function reloadIfChanged(): Promise<void> {
    if ((await stampOf(files)) === stamp) return;
    const next = await loadPair(files);
    server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
    stamp = next.stamp;
    logger.info('api certificate reloaded', { cert: files.certFile });
  }
  return () => clearInterval(timer);
}

async function stampOf(files: ApiTlsFiles): Promise<string> {
  const [c, k] = await Promise.all([stat(files.certFile), stat(files.keyFile)]).catch((err: unknown) =>
    unreadable('WHARF_API_TLS_CERT', err),
  );
  return `${c.mtimeMs}:${c.size}:${k.mtimeMs}:${k.size}`;
}

function unreadable(variable: string, err: unknown): never {
  throw new WharfError('WHARF_VALIDATION', `${variable}: cannot read the file`, {
    details: { variable, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message },
  });
}
