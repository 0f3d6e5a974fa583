/**
 * A serving certificate and its key kept as two PEM files the operator (or the platform) replaces
 * in place: read as a checked pair, and watched so a rotation needs no restart. Shared by the api's
 * HTTPS port and the proxy's TLS port.
 *
 * Why poll the files' mtime and size rather than `fs.watch`: a rotation is usually a rename over
 * the old file (certbot, `wharf pki rotate`), which inotify reports on the directory and loses for
 * the watched inode, and a few seconds' delay on a certificate change is harmless. Why a pair is
 * only taken whole: the two files cannot be replaced atomically together, so between the two
 * writes the certificate and key do not match; the old pair keeps serving until they do.
 * The key is read into memory and never logged.
 */
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { WharfError } from '@wharf/model';

/** How often watched files are checked for a rotation. */
export const PEM_PAIR_RELOAD_INTERVAL_MS = 5_000;

/** Where the pair lives, and the setting that named each file (for errors). */
export interface PemPairFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** e.g. `WHARF_API_TLS_CERT`. */
  readonly certSetting: string;
  readonly keySetting: string;
}

/** A certificate and key as read, with what identifies this version of the files. */
export interface LoadedPemPair {
  readonly cert: string;
  readonly key: string;
  /** mtimes and sizes of both files: a change here means "read again". */
  readonly stamp: string;
}

/** Reads both files and checks they form a usable pair (`WHARF_VALIDATION` naming the settings). */
export async function readPemPair(files: PemPairFiles): Promise<LoadedPemPair> {
  const stamp = await pemPairStamp(files);
  const [cert, key] = await Promise.all([
    readFile(files.certFile, 'utf8').catch((err: unknown) => unreadable(files.certSetting, err)),
    readFile(files.keyFile, 'utf8').catch((err: unknown) => unreadable(files.keySetting, err)),
  ]);
  try {
    // Throws on a key that does not belong to the certificate, or on either not being PEM.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new WharfError(
      'WHARF_VALIDATION',
      `${files.certSetting} and ${files.keySetting} are not a matching PEM pair`,
      { details: { variables: [files.certSetting, files.keySetting], reason: (err as Error).message } },
    );
  }
  return { cert, key, stamp };
}

/** Options for {@link watchPemPair}. */
export interface WatchPemPairOptions {
  readonly files: PemPairFiles;
  /** The pair in use (its stamp is the version not to reload). */
  readonly current: LoadedPemPair;
  /** Called with each new whole pair; a throw (or rejection) counts as not reloaded. */
  readonly onChange: (next: LoadedPemPair) => void | Promise<void>;
  /** Called when changed files do not (yet) form a pair: the old one stays in use. */
  readonly onError: (err: Error) => void;
  readonly intervalMs?: number;
}

/** Starts checking the files; returns the function that stops it. */
export function watchPemPair(options: WatchPemPairOptions): () => void {
  const { files } = options;
  let stamp = options.current.stamp;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void reloadIfChanged()
      .catch((err: unknown) => options.onError(err as Error))
      .finally(() => (busy = false));
  }, options.intervalMs ?? PEM_PAIR_RELOAD_INTERVAL_MS);
  timer.unref();

  async function reloadIfChanged(): Promise<void> {
    if ((await pemPairStamp(files)) === stamp) return;
    const next = await readPemPair(files);
    await options.onChange(next);
    stamp = next.stamp;
  }
  return () => clearInterval(timer);
}

async function pemPairStamp(files: PemPairFiles): Promise<string> {
  const [c, k] = await Promise.all([
    stat(files.certFile).catch((err: unknown) => unreadable(files.certSetting, err)),
    stat(files.keyFile).catch((err: unknown) => unreadable(files.keySetting, err)),
  ]);
  return `${c.mtimeMs}:${c.size}:${k.mtimeMs}:${k.size}`;
}

function unreadable(variable: string, err: unknown): never {
  throw new WharfError('WHARF_VALIDATION', `${variable}: cannot read the file`, {
    details: { variable, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message },
  });
}
