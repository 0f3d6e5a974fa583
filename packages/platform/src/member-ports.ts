/**
 * The quorum and election ports of the directors' ZooKeeper members. A member's ports are fixed
 * by its first start: ZooKeeper keeps the membership in its own dynamic configuration file and a
 * restart reuses it, so a later `wharf up` must plan the ports that file names.
 *
 * `--zk-peer-ports` wins. Otherwise a member that ran keeps the ports it has; a first start of
 * three directors takes ZooKeeper's conventional 2888/3888 (each member on its own address); a
 * first start of one director — `wharf up`'s default, a quorum of one nobody else connects to —
 * takes two free ports, so two installations (or two test platforms) on one machine never meet
 * on 127.0.0.1:2888.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { freePorts } from '@wharf/supervise';
import { parseEnsembleConfig } from '@wharf/zk';
import { DEFAULT_ZK_PEER_PORTS, type UpConfig } from './config';

/** Quorum and election ports. */
export interface PeerPorts {
  readonly quorum: number;
  readonly election: number;
}

/** The ports member `id` was given in the membership its server last wrote in `dataDir`, if it ran. */
export async function recordedPeerPorts(dataDir: string, id: number): Promise<PeerPorts | undefined> {
  const cfg = await readFile(join(dataDir, 'zoo.cfg'), 'utf8').catch(() => '');
  const line = cfg.split('\n').find((l) => l.startsWith('dynamicConfigFile='));
  if (line === undefined) return undefined;
  const file = line.slice('dynamicConfigFile='.length).trim();
  const text = await readFile(isAbsolute(file) ? file : join(dataDir, file), 'utf8').catch(() => '');
  const self = parseEnsembleConfig(text).servers.find((s) => s.id === id);
  return self === undefined ? undefined : { quorum: self.quorumPort, election: self.electionPort };
}

/** The peer ports to plan the members with (see the module comment); `firstDataDir` is member 1's. */
export async function resolvePeerPorts(config: UpConfig, firstDataDir: string): Promise<PeerPorts> {
  if (config.zk.peerPorts !== undefined) return config.zk.peerPorts;
  const recorded = await recordedPeerPorts(firstDataDir, 1);
  if (recorded !== undefined) return recorded;
  if (config.directors > 1) return DEFAULT_ZK_PEER_PORTS;
  const avoid = [config.apiPort, ...config.proxyPorts, config.zk.embeddedPort, config.directorPort];
  const [quorum, election] = (await freePorts(2, avoid)) as [number, number];
  return { quorum, election };
}
