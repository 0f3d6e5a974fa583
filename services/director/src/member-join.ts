/**
 * A new member's `reconfig -add` into a running ensemble (a second or third director joining a
 * quorum of one or two, or a removed director added again with empty data). Its server already
 * runs with the membership it read plus itself and syncs as a learner; this asks the ensemble to
 * make it a voter, on the condition that the configuration is still the one the decision was made
 * on (`decideAddition` in @wharf/zk). Two directors joining at once cannot undo each other: the
 * second one's condition fails, it reads the new configuration and decides again — as long as
 * the version moves, at most {@link JOIN_ATTEMPTS} times.
 */
import { type Logger } from '@wharf/observability';
import {
  type CompiledZkTls,
  type EnsembleConfig,
  type EnsembleServer,
  type ReconfigureTls,
  type ZkTlsOptions,
  decideAddition,
  memberMode,
  readEnsembleConfig,
  reconfigureEnsemble,
  servingMembers,
} from '@wharf/zk';

/** Conditional adds tried while other changes keep moving the version (concurrent joiners: one or two). */
export const JOIN_ATTEMPTS = 4;
/** Before the candidate counts as not reachable: a learner answers `srvr` once it synced. */
export const JOIN_SYNC_WAIT_MS = 20_000;
/** Between two `srvr` probes of the candidate while it syncs. */
const JOIN_SYNC_POLL_MS = 250;

/** What {@link joinEnsemble} needs. */
export interface JoinOptions {
  readonly self: EnsembleServer;
  /** Client connect string of (some of) the running members. */
  readonly joinAt: string;
  readonly superPassword: string;
  /** The member's certificate as a client (TLS ensembles). */
  readonly clientTls?: ZkTlsOptions;
  readonly probeTls?: CompiledZkTls;
  readonly reconfigureTls?: ReconfigureTls;
  readonly logger: Logger;
}

/** Adds `self` to the ensemble unless it is listed; resolves with the configuration that lists it. */
export async function joinEnsemble(options: JoinOptions): Promise<EnsembleConfig> {
  const { self, joinAt, logger } = options;
  let lastVersion: string | null | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const config = await readEnsembleConfig(joinAt, options.clientTls);
    if (config.servers.some((s) => s.id === self.id)) return config;
    const plan = decideAddition({
      config,
      candidate: self,
      serving: await servingMembers(config.servers, options.probeTls),
      candidateServing: await serves(self, options.probeTls),
    });
    try {
      const after = await reconfigureEnsemble({
        connectString: plan.connectString,
        add: [self],
        fromConfig: plan.fromConfig,
        superPassword: options.superPassword,
        ...(options.reconfigureTls === undefined ? {} : { tls: options.reconfigureTls }),
      });
      logger.info('zookeeper member joined the ensemble', {
        id: self.id,
        fromVersion: plan.fromConfig,
        version: after.version,
        members: after.servers.map((s) => s.id),
      });
      return after;
    } catch (err) {
      // A refused condition means someone else changed the membership: decide again on theirs.
      const now = await readEnsembleConfig(joinAt, options.clientTls).catch(() => null);
      const moved = now !== null && now.version !== plan.fromConfig && now.version !== lastVersion;
      if (!moved || attempt >= JOIN_ATTEMPTS) throw err;
      lastVersion = now.version;
      logger.warn('zookeeper membership changed during the join; deciding again', {
        id: self.id,
        fromVersion: plan.fromConfig,
        version: now.version,
      });
    }
  }
}

/** True once the candidate's own server answers `srvr` with a mode (it synced), within {@link JOIN_SYNC_WAIT_MS}. */
async function serves(self: EnsembleServer, tls: CompiledZkTls | undefined): Promise<boolean> {
  const deadline = Date.now() + JOIN_SYNC_WAIT_MS;
  for (;;) {
    if ((await memberMode(self, tls)) !== null) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, JOIN_SYNC_POLL_MS));
  }
}
