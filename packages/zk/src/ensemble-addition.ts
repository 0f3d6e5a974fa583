/*
 * Adding a member to a running ensemble, the way ZooKeeper's dynamic reconfiguration allows it:
 * the new server first starts with the current membership plus itself and syncs from the leader
 * as a non-voting learner; then a `reconfig -add` is committed by a majority of the *old* voters
 * and acknowledged by a majority of the *new* ones — the new member included once there are two
 * voters, so a member that does not serve yet cannot be added to a quorum of one. The decision is
 * pure ({@link decideAddition}); the caller probes the members (`srvr`) and applies it
 * (`reconfigureEnsemble` with `fromConfig`, so two directors joining at once cannot overwrite each
 * other: the second one's condition fails and it decides again on the configuration it then reads).
 */
import { WharfError } from '@wharf/model';
import { type EnsembleConfig, type EnsembleServer, ensembleConnectString } from './ensemble';

/** What {@link decideAddition} needs: the configuration read, who serves, and the candidate. */
export interface AdditionInput {
  readonly config: EnsembleConfig;
  /** The server to add: its id, address and ports. */
  readonly candidate: EnsembleServer;
  /** Ids of the listed members that answered `srvr` as leader or follower. */
  readonly serving: ReadonlySet<number>;
  /**
   * Whether the candidate's own server answers (it started and synced as a learner). Omitted
   * for a pre-flight check made before its server runs (`wharf director add`): not checked.
   */
  readonly candidateServing?: boolean;
}

/** An addition the ensemble can commit now. */
export interface AdditionPlan {
  readonly member: EnsembleServer;
  /** The voters once it is committed (the candidate last). */
  readonly voters: readonly EnsembleServer[];
  /** Where the reconfiguration is sent: the listed voters that serve. */
  readonly connectString: string;
  /** Condition of the reconfiguration: the configuration the decision was made on. */
  readonly fromConfig: string | null;
}

/** Reasons, first word of each refusal's detail message (callers and tests match them). */
export const ADDITION_REFUSALS = ['already-voter', 'address-taken', 'not-reachable', 'quorum-loss'] as const;

/** A reason of {@link ADDITION_REFUSALS}. */
export type AdditionRefusal = (typeof ADDITION_REFUSALS)[number];

function refuse(
  code: 'WHARF_CONFLICT' | 'WHARF_UNAVAILABLE',
  reason: AdditionRefusal,
  message: string,
  detail: string,
): never {
  throw new WharfError(code, message, { details: [{ path: 'member', message: `${reason}: ${detail}` }] });
}

const isVoter = (s: EnsembleServer) => (s.role ?? 'participant') === 'participant';
const sameAddress = (a: EnsembleServer, b: EnsembleServer) =>
  a.host === b.host && (a.quorumPort === b.quorumPort || a.clientPort === b.clientPort);

/**
 * Decides whether `candidate` can join now. Throws `WHARF_CONFLICT` when its id is listed
 * already (`already-voter`) or another member holds its address (`address-taken`), or when the
 * old or the new voters would have no serving majority (`quorum-loss`: ZooKeeper would refuse
 * after its timeout, or worse, wait); `WHARF_UNAVAILABLE` when the candidate's server does not
 * answer (`not-reachable`: a member that has not synced cannot acknowledge). Pure.
 */
export function decideAddition(input: AdditionInput): AdditionPlan {
  const { config, candidate, serving, candidateServing } = input;
  const listed = config.servers.find((s) => s.id === candidate.id);
  if (listed !== undefined) {
    refuse(
      'WHARF_CONFLICT',
      'already-voter',
      `zookeeper member ${candidate.id} is in the ensemble already`,
      `member ${listed.id} at ${listed.host}:${listed.clientPort} (${listed.role ?? 'participant'})`,
    );
  }
  const holder = config.servers.find((s) => sameAddress(s, candidate));
  if (holder !== undefined) {
    refuse(
      'WHARF_CONFLICT',
      'address-taken',
      `member ${holder.id} of the ensemble runs at ${holder.host} already`,
      `the candidate ${candidate.id} would share ${holder.host}'s ports with member ${holder.id}`,
    );
  }
  if (candidateServing === false) {
    refuse(
      'WHARF_UNAVAILABLE',
      'not-reachable',
      `zookeeper member ${candidate.id} does not answer at ${candidate.host}:${candidate.clientPort}`,
      'its server must run and sync from the leader before the ensemble can add it',
    );
  }
  const voters = config.servers.filter(isVoter);
  const up = voters.filter((s) => serving.has(s.id));
  const after = [...voters, candidate];
  // The candidate counts as up: refused above when it is known not to serve.
  const upAfter = up.length + 1;
  if (up.length * 2 <= voters.length || upAfter * 2 <= after.length) {
    refuse(
      'WHARF_CONFLICT',
      'quorum-loss',
      `adding member ${candidate.id} needs a serving majority of the ensemble`,
      `only ${up.length} of the ${voters.length} voters serve (${up.map((s) => s.id).join(', ') || 'none'}); ` +
        `a majority of the old and of the new voters must commit the addition`,
    );
  }
  return {
    member: candidate,
    voters: after,
    connectString: ensembleConnectString(up),
    fromConfig: config.version,
  };
}

/**
 * The id a new member takes: `preferred` (a director host's number, which `wharf up --directors`
 * would give it too) when no listed member has it, else one past the highest listed. Pure.
 */
export function nextMemberId(config: EnsembleConfig, preferred?: number): number {
  const taken = new Set(config.servers.map((s) => s.id));
  if (preferred !== undefined && preferred >= 1 && preferred <= 255 && !taken.has(preferred))
    return preferred;
  const next = Math.max(0, ...taken) + 1;
  if (next > 255) {
    throw new WharfError('WHARF_CONFLICT', 'no zookeeper member id left (Wharf uses 1–255)', {
      details: [{ path: 'member', message: `members: ${[...taken].join(', ')}` }],
    });
  }
  return next;
}
