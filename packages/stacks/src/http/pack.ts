/** The http stack pack: one port, an HTTP health check, no cluster membership. */
import { WharfError } from '@wharf/model';
import { urlOf } from '../endpoint';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../hook-options';
import { httpRequest } from '../http-client';
import { type MemberEndpoint, type ProbeOptions, type ProbeResult, type StackPack } from '../types';
import {
  HTTP_KIND,
  HTTP_PORT_NAMES,
  HTTP_VERSIONS,
  healthPathOf,
  parseHttpSettings,
  renderHttpCommand,
} from './config';

/** `GET <health_path>`: healthy on any 2xx or 3xx answer (redirects are not followed). */
export async function httpProbe(endpoint: MemberEndpoint, options: ProbeOptions = {}): Promise<ProbeResult> {
  let path: string;
  try {
    path = healthPathOf(options.settings ?? {});
  } catch (err) {
    return { healthy: false, detail: `bad settings: ${(err as Error).message}` };
  }
  try {
    const res = await httpRequest(`${urlOf(endpoint, 'http')}${path}`, {
      timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    });
    return { healthy: res.status >= 200 && res.status < 400, detail: `status ${res.status}` };
  } catch (err) {
    const code = (err as WharfError).details as { code?: string } | undefined;
    return { healthy: false, detail: code?.code ?? (err as Error).message };
  }
}

/** An http pack. */
export function createHttpPack(): StackPack {
  const noop = async (): Promise<void> => undefined;
  return Object.freeze<StackPack>({
    kind: HTTP_KIND,
    versions: HTTP_VERSIONS,
    portNames: HTTP_PORT_NAMES,
    routePort: 'http',
    clustered: false,
    snapshots: false,
    validateSettings: (settings) => void parseHttpSettings(settings),
    command: renderHttpCommand,
    probe: httpProbe,
    bootstrap: (input) => ({
      token: `${input.deploymentId}-${input.nonce}`,
      state: 'new',
      members: [...input.members],
    }),
    joining: (current, member) => ({
      token: current.token,
      state: 'existing',
      members: [...current.members.filter((m) => m.name !== member.name), member],
    }),
    beforeJoin: noop,
    beforeLeave: noop,
    // Instances share nothing: there is no data to move to a new one.
    migrateData: async () => ({ targetIndex: 0, reachedIndex: 0, bytes: 0 }),
    leavePausesCluster: async () => false,
    afterLeave: noop,
    snapshot: async () => {
      throw new WharfError('WHARF_STACK_ERROR', 'http deployments have no snapshots', {
        details: { kind: HTTP_KIND },
      });
    },
    restore: async () => {
      throw new WharfError('WHARF_STACK_ERROR', 'http deployments have no snapshots', {
        details: { kind: HTTP_KIND },
      });
    },
  });
}
