/*
 * The dynamic configuration of an ensemble as ZooKeeper writes it (`/zookeeper/config`, the
 * dynamic config file): pure parsing, shared by the reconfiguration tools (`ensemble.ts`) and the
 * sessions that follow the membership (`ensemble-follower.ts`).
 */

/** One server of the ensemble, as in a `server.N=` line of the dynamic configuration. */
export interface EnsembleServer {
  /** `myid`: 1–255 for Wharf (ZooKeeper allows any positive long). */
  readonly id: number;
  readonly host: string;
  /** Followers connect to the leader here. */
  readonly quorumPort: number;
  /** Leader election. */
  readonly electionPort: number;
  /** Clients (the secure client port of a TLS ensemble). */
  readonly clientPort: number;
  readonly role?: 'participant' | 'observer';
}

/** The parsed `/zookeeper/config`. */
export interface EnsembleConfig {
  readonly servers: EnsembleServer[];
  /** `version=` (hex zxid of the last reconfig), null in a static file. */
  readonly version: string | null;
}

// The client part is optional: a TLS member lists none (see {@link serverSpec}).
const SERVER_LINE =
  /^server\.(\d+)=([^:;\s]+):(\d+):(\d+)(?::(participant|observer))?(?:;(?:([^:;\s]+):)?(\d+))?$/;

/**
 * Parses `/zookeeper/config` (or a dynamic config file); unknown lines are ignored. A line
 * without a client part (a TLS ensemble's) gets `defaultClientPort` (0 when not given): Wharf
 * runs every member's secure client port on the same port number.
 */
export function parseEnsembleConfig(text: string, defaultClientPort = 0): EnsembleConfig {
  const servers: EnsembleServer[] = [];
  let version: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('version=')) version = line.slice('version='.length);
    const m = SERVER_LINE.exec(line);
    if (m === null) continue;
    servers.push({
      id: Number(m[1]),
      host: m[2]!,
      quorumPort: Number(m[3]),
      electionPort: Number(m[4]),
      role: (m[5] as EnsembleServer['role']) ?? 'participant',
      clientPort: m[7] === undefined ? defaultClientPort : Number(m[7]),
    });
  }
  return { servers: servers.sort((a, b) => a.id - b.id), version };
}
