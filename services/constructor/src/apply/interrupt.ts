/**
 * Interruptions stop an attempt without recording anything: leadership lost, the constructor
 * closing, the attempt taken over by another leader (a versioned write lost), or ZooKeeper
 * unreachable. The attempt stays persisted and the next leader (or this one, later) resumes it.
 */
import { WharfError, isWharfError } from '@wharf/model';

/** Codes that mean "ZooKeeper is unreachable now", not "the attempt failed". */
const TRANSIENT_ZK_CODES = [
  'WHARF_ZK_CONNECTION_LOSS',
  'WHARF_ZK_SESSION_EXPIRED',
  'WHARF_ZK_CLOSED',
] as const;

/** Marker in `details` of an interruption. */
const INTERRUPTED = 'interrupted';

/** An interruption with a reason. */
export function interrupted(reason: string, cause?: unknown): WharfError {
  return new WharfError('WHARF_UNAVAILABLE', `attempt interrupted: ${reason}`, {
    details: { [INTERRUPTED]: true, reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** True for an interruption or a transient ZooKeeper failure. */
export function isInterruption(err: unknown): boolean {
  if (isWharfError(err, ...TRANSIENT_ZK_CODES)) return true;
  if (!isWharfError(err, 'WHARF_UNAVAILABLE')) return false;
  const details = err.details as Record<string, unknown> | undefined;
  return details?.[INTERRUPTED] === true;
}
