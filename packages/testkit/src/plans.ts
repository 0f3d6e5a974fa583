/** Options of {@link etcdCreateRequest}. */
export interface EtcdRequestOptions {
  zoneCount?: number;
  memoryMb?: number;
  /** Adds a grow-and-shrink `transient` with this plan timeout; without it the request has none. */
  timeoutSeconds?: number;
  /** etcd `user_settings`. */
  userSettings?: Record<string, unknown>;
}

/**
 * A valid deployment create request: one etcd 3.4 resource `main` with one topology element
 * (3 zones of 256 MB unless told). Typed loosely: tests mutate it at any depth.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function etcdCreateRequest(name: string, options: EtcdRequestOptions = {}): any {
  const { zoneCount = 3, memoryMb = 256, timeoutSeconds, userSettings } = options;
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
                instance_configuration_id: 'etcd.default',
                size: { resource: 'memory', value: memoryMb },
                zone_count: zoneCount,
              },
            ],
            etcd: { version: '3.4', ...(userSettings === undefined ? {} : { user_settings: userSettings }) },
            ...(timeoutSeconds === undefined
              ? {}
              : {
                  transient: {
                    strategy: { grow_and_shrink: {} },
                    plan_configuration: { timeout: timeoutSeconds },
                  },
                }),
          },
        },
      ],
    },
  };
}
