import { toLibraryAcl } from './acl';
import { closedError, connectionLossError, withTransportError } from './errors';
import { type CompiledZkOptions } from './options';
import { RawClient } from './raw-client';
import { rawMkdirp } from './raw-ops';

/** How long the bootstrap client politely closes before being killed. */
const BOOTSTRAP_CLOSE_GRACE_MS = 500;

/**
 * Creates the chroot if it is missing. node-zookeeper-client resolves every path under the chroot
 * given in the connect string but, like the Java client, does not create it; so a short-lived
 * client without chroot runs `mkdirp(chroot)` first. Everything after uses the library's chroot.
 */
export async function ensureChroot(options: CompiledZkOptions, signal?: AbortSignal): Promise<void> {
  if (options.chroot === '') return;
  const { connectString, sessionTimeoutMs, connectTimeoutMs, logger } = options;
  let onConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve;
  });
  const raw = new RawClient({
    connectString,
    chroot: '',
    sessionTimeoutMs,
    logger,
    tls: options.tls,
    onEvent: (_client, event) => {
      if (event === 'connected') onConnected();
    },
  });
  const guard = startGuard(options, signal);
  try {
    raw.connect();
    await Promise.race([connected, guard.failed]).catch((err: unknown) => {
      throw withTransportError(err, raw.lastTransportError);
    });
    // In secure mode the chroot (and any parent of it) gets the policy's ACL for the root, '/'.
    const acl = options.acl === null ? undefined : toLibraryAcl(options.acl('/'));
    await raw.call('mkdirp', options.chroot, connectTimeoutMs, rawMkdirp(raw.client, options.chroot, acl));
    logger.debug('zookeeper chroot ensured', { chroot: options.chroot });
  } finally {
    guard.dispose();
    await raw.close(BOOTSTRAP_CLOSE_GRACE_MS);
  }
}

/** A promise that rejects on `connectTimeoutMs` or on abort (session closed), and its cleanup. */
function startGuard(
  options: CompiledZkOptions,
  signal?: AbortSignal,
): { failed: Promise<never>; dispose: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: () => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(connectionLossError('start', options.chroot, 'no connection before connectTimeoutMs')),
      options.connectTimeoutMs,
    );
    onAbort = () => reject(closedError('start', options.chroot));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  failed.catch(() => undefined); // observed only through the race
  return {
    failed,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
