import { WharfError } from '@wharf/model';
import { RawClient } from './raw-client';
import { type ZkSession } from './session';

/** How long one impostor client may take to connect and close. */
export const EXPIRE_TIMEOUT_MS = 10_000;

/**
 * Attempts before giving up. The victim's client reconnects immediately when the impostor takes
 * its connection and can win the session back before the impostor's close lands; retrying makes
 * the trick deterministic enough for tests.
 */
export const EXPIRE_ATTEMPTS = 5;

/** How long to wait for the victim to notice the expiry before trying again. */
export const EXPIRE_VERIFY_MS = 1000;

/** Poll period while verifying. */
const VERIFY_POLL_MS = 10;

/**
 * Forces the server to end `session`'s current server session, for tests and chaos drills
 * (Curator's KillSession): a second client joins with the same session id and password and
 * closes it at once; the server deletes the session's ephemerals. The session manager then sees
 * SESSION_EXPIRED and goes `lost` → `reconnected` (new session). Resolves once that was observed.
 */
export async function expireSession(session: ZkSession, timeoutMs = EXPIRE_TIMEOUT_MS): Promise<void> {
  const id = session.sessionId;
  const password = session.sessionPassword;
  if (id === null || password === null) {
    throw new WharfError('WHARF_ZK_CONNECTION_LOSS', 'session has no server session to expire');
  }
  let stolenBack = false;
  const off = session.onStateChange((change) => {
    if (change.event === 'reconnected' && !change.newSession) stolenBack = true;
  });
  try {
    for (let attempt = 1; attempt <= EXPIRE_ATTEMPTS; attempt++) {
      session.logger.info('expiring zookeeper session', { sessionId: id, attempt });
      stolenBack = false;
      await closeAsImpostor(session, id, password, timeoutMs);
      if (await observedExpiry(session, id, () => stolenBack)) return;
    }
  } finally {
    off();
  }
  throw new WharfError('WHARF_TIMEOUT', 'could not expire zookeeper session', { details: { sessionId: id } });
}

async function closeAsImpostor(
  session: ZkSession,
  id: string,
  password: Buffer,
  timeoutMs: number,
): Promise<void> {
  const { connectString, chroot, sessionTimeoutMs, logger } = session.options;
  let resolveConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    resolveConnected = resolve;
  });
  const impostor = new RawClient({
    connectString,
    chroot,
    sessionTimeoutMs,
    logger,
    tls: session.options.tls,
    sessionId: Buffer.from(id, 'hex'),
    sessionPassword: password,
    onEvent: (client, event) => {
      // Close in the same tick as the connect response, before the victim can reconnect.
      if (event === 'connected') client.client.close();
      // `expired`: an earlier attempt already ended the session. Either way this attempt is over.
      resolveConnected();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    impostor.connect();
    await Promise.race([
      connected,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    impostor.kill();
  }
}

async function observedExpiry(session: ZkSession, id: string, stolenBack: () => boolean): Promise<boolean> {
  const { clock } = session.options;
  const deadline = clock.now() + EXPIRE_VERIFY_MS;
  while (clock.now() < deadline) {
    if (session.state === 'lost' || session.state === 'closed') return true;
    const current = session.sessionId;
    if (current !== null && current !== id) return true;
    // The victim reconnected with the same session: our close lost the race; try again.
    if (stolenBack() && session.state === 'connected') return false;
    await clock.sleep(VERIFY_POLL_MS);
  }
  return false;
}
