/*
 * Taking a member out of the ensemble, the way ZooKeeper's own rules allow it: the removal is a
 * reconfiguration the *remaining* members commit, so a majority of them must serve now, and an
 * ensemble of one cannot lose its last member. The decision is pure ({@link decideRemoval}); the
 * caller probes the members (`srvr`, {@link memberConfig}) and applies it
 * (`reconfigureEnsemble` with `fromConfig`, so a concurrent change is refused rather than undone).
 */
import { WharfError } from '@wharf/model';
import {
  type EnsembleConfig,
  type EnsembleServer,
  ensembleConnectString,
  parseEnsembleConfig,
} from './ensemble';
import { fourLetterWord } from './four-letter';
import { type CompiledZkTls, type ZkTlsOptions } from './tls';

/** A four-letter word to one member: a local or LAN server answers in milliseconds. */
export const MEMBER_PROBE_TIMEOUT_MS = 2_000;

/** What {@link decideRemoval} needs: the current configuration and who serves now. */
export interface RemovalInput {
  readonly config: EnsembleConfig;
  /** The member to remove (its `myid`). */
  readonly memberId: number;
  /** Ids of the members that answered `srvr` as leader or follower. */
  readonly serving: ReadonlySet<number>;
}

/** A removal the remaining members can commit. */
export interface RemovalPlan {
  readonly member: EnsembleServer;
  readonly remaining: readonly EnsembleServer[];
  /** Where the reconfiguration is sent: the remaining members that serve. */
  readonly connectString: string;
  /** Condition of the reconfiguration: the configuration the decision was made on. */
  readonly fromConfig: string | null;
}

/**
 * Decides whether `memberId` can leave. Throws `WHARF_NOT_FOUND` for a member not in the
 * configuration, `WHARF_CONFLICT` for the last member or a removal that would leave the remaining
 * members without a serving majority (ZooKeeper would refuse it too, after a timeout). Pure.
 */
export function decideRemoval(input: RemovalInput): RemovalPlan {
  const { config, memberId, serving } = input;
  const member = config.servers.find((s) => s.id === memberId);
  if (member === undefined) {
    throw new WharfError('WHARF_NOT_FOUND', `zookeeper member ${memberId} is not in the ensemble`, {
      details: [{ path: 'member', message: `members: ${config.servers.map((s) => s.id).join(', ')}` }],
    });
  }
  const remaining = config.servers.filter((s) => s.id !== memberId);
  const voters = remaining.filter((s) => (s.role ?? 'participant') === 'participant');
  if (voters.length === 0) {
    throw new WharfError('WHARF_CONFLICT', `member ${memberId} is the last voter of the ensemble`, {
      details: [{ path: 'member', message: 'last-member: the ensemble would have no quorum left' }],
    });
  }
  const up = voters.filter((s) => serving.has(s.id));
  if (up.length * 2 <= voters.length) {
    const message =
      `quorum-loss: only ${up.length} of the ${voters.length} remaining voters serve ` +
      `(${up.map((s) => s.id).join(', ') || 'none'}); a majority must commit the removal`;
    throw new WharfError('WHARF_CONFLICT', `removing member ${memberId} would lose the quorum`, {
      details: [{ path: 'member', message }],
    });
  }
  return { member, remaining, connectString: ensembleConnectString(up), fromConfig: config.version };
}

/** `srvr` mode of one member (`leader`, `follower`, …), null when it does not serve. */
export async function memberMode(
  server: Pick<EnsembleServer, 'host' | 'clientPort'>,
  tls?: ZkTlsOptions | CompiledZkTls,
): Promise<string | null> {
  const srvr = await fourLetterWord(server.host, server.clientPort, 'srvr', MEMBER_PROBE_TIMEOUT_MS, tls);
  return /Mode: (\w+)/.exec(srvr ?? '')?.[1] ?? null;
}

/** Ids of the members of `servers` that serve as leader or follower now. */
export async function servingMembers(
  servers: readonly EnsembleServer[],
  tls?: ZkTlsOptions | CompiledZkTls,
): Promise<Set<number>> {
  const modes = await Promise.all(servers.map(async (s) => [s.id, await memberMode(s, tls)] as const));
  return new Set(modes.filter(([, mode]) => mode === 'leader' || mode === 'follower').map(([id]) => id));
}

/**
 * The ensemble as one member sees it, through `conf` (its `membership:` lines): no session, so
 * nothing is written to the transaction log — cheap enough to poll. Null when it does not answer
 * or lists no member (a server that is not serving).
 */
export async function memberConfig(
  server: Pick<EnsembleServer, 'host' | 'clientPort'>,
  tls?: ZkTlsOptions | CompiledZkTls,
): Promise<EnsembleConfig | null> {
  const conf = await fourLetterWord(server.host, server.clientPort, 'conf', MEMBER_PROBE_TIMEOUT_MS, tls);
  if (conf === null) return null;
  const membership = conf.split('membership:')[1];
  if (membership === undefined) return null;
  const config = parseEnsembleConfig(membership, server.clientPort);
  return config.servers.length === 0 ? null : config;
}
