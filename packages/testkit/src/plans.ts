/** Options of {@link etcdCreateRequest}. */
export interface EtcdRequestOptions {
  zoneCount?: number;
  memoryMb?: number;
  /** Adds a grow-and-shrink `transient` with this plan timeout; without it the request has none. */
  timeoutSeconds?: number;
  /** etcd `user_settings`. */
  userSettings?: Record<string, unknown>;
  /** etcd version (default 3.4). */
  version?: string;
  /** The topology element's instance configuration (default `etcd.default`). */
  instanceConfigurationId?: string;
  /** Adds a `transient` with this strategy (and the timeout when given). */
  strategy?: Record<string, unknown>;
}

/**
 * A valid deployment create request: one etcd 3.4 resource `main` with one topology element
 * (3 zones of 256 MB unless told). Typed loosely: tests mutate it at any depth.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function etcdCreateRequest(name: string, options: EtcdRequestOptions = {}): any {
  const { zoneCount = 3, memoryMb = 256, timeoutSeconds, userSettings, strategy } = options;
  const transient =
    timeoutSeconds === undefined && strategy === undefined
      ? undefined
      : {
          strategy: strategy ?? { grow_and_shrink: {} },
          ...(timeoutSeconds === undefined ? {} : { plan_configuration: { timeout: timeoutSeconds } }),
        };
  return {
    name,
    resources: {
      etcd: [
        {
          ref_id: 'main',
          plan: {
            cluster_topology: [
              {
                id: 'default',
                instance_configuration_id: options.instanceConfigurationId ?? 'etcd.default',
                size: { resource: 'memory', value: memoryMb },
                zone_count: zoneCount,
              },
            ],
            etcd: {
              version: options.version ?? '3.4',
              ...(userSettings === undefined ? {} : { user_settings: userSettings }),
            },
            ...(transient === undefined ? {} : { transient }),
          },
        },
      ],
    },
  };
}

/**
 * A valid http resource `refId` (one 64 MB instance in one zone), with http `user_settings` when
 * given. Typed loosely, as {@link etcdCreateRequest}.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function httpResource(refId = 'web', userSettings?: Record<string, unknown>): any {
  return {
    ref_id: refId,
    plan: {
      cluster_topology: [
        {
          id: 'default',
          instance_configuration_id: 'http.default',
          size: { resource: 'memory', value: 64 },
          zone_count: 1,
        },
      ],
      http: { version: '1', ...(userSettings === undefined ? {} : { user_settings: userSettings }) },
    },
  };
}
