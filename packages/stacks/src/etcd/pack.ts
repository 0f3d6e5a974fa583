/** The etcd stack pack: a real clustered key-value store, joined and left one member at a time. */
import { DEFAULT_PROBE_TIMEOUT_MS } from '../hook-options';
import { type StackPack } from '../types';
import { etcdHealth } from './api';
import { etcdEnableAuth, etcdSetRootPassword } from './auth';
import {
  ETCD_BINARY,
  ETCD_KIND,
  ETCD_PORT_NAMES,
  ETCD_VERSIONS,
  etcdClusterToken,
  etcdCommand,
  initialClusterOf,
  parseEtcdSettings,
} from './config';
import { etcdBeforeJoin, etcdBeforeLeave } from './membership';
import { etcdLeaveMovesLeader } from './leadership';
import { etcdMigrateData } from './migrate';
import { etcdSnapshot } from './snapshot';
import { etcdRestore, etcdVerifySnapshot } from './snapshot-restore';

/** Options of {@link createEtcdPack}. */
export interface EtcdPackOptions {
  /** Absolute path of the etcd binary for process runtimes; default {@link ETCD_BINARY}. */
  binary?: string;
}

/** An etcd pack; the registry's is `createEtcdPack()` with Debian's binary. */
export function createEtcdPack(options: EtcdPackOptions = {}): StackPack {
  const binary = options.binary ?? ETCD_BINARY;
  return Object.freeze<StackPack>({
    kind: ETCD_KIND,
    versions: ETCD_VERSIONS,
    portNames: ETCD_PORT_NAMES,
    routePort: 'client',
    clustered: true,
    snapshots: true,
    validateSettings: (settings) => void parseEtcdSettings(settings),
    command: (ctx) => etcdCommand(ctx, binary),
    probe: (endpoint, probeOptions) =>
      etcdHealth(endpoint, { timeoutMs: probeOptions?.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS }),
    bootstrap: (input) => {
      // Renders --initial-cluster once, so bad names or hosts fail at bootstrap, not at start.
      initialClusterOf(input.members);
      return {
        token: etcdClusterToken(input.deploymentId, input.nonce),
        state: 'new',
        members: [...input.members],
      };
    },
    joining: (current, member) => {
      initialClusterOf([member]);
      const members = [...current.members.filter((m) => m.name !== member.name), member];
      return { token: current.token, state: 'existing', members };
    },
    beforeJoin: etcdBeforeJoin,
    migrateData: etcdMigrateData,
    leavePausesCluster: etcdLeaveMovesLeader,
    beforeLeave: etcdBeforeLeave,
    // A removed etcd member stops itself; nothing is left to undo once it is gone.
    afterLeave: async () => undefined,
    snapshot: etcdSnapshot,
    verifySnapshot: etcdVerifySnapshot,
    restore: etcdRestore,
    enableAuth: etcdEnableAuth,
    setRootPassword: etcdSetRootPassword,
  });
}
