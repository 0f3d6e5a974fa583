import { type DeploymentUpdateRequest, type Resources } from '@wharf/model';
import { checkStackVersions, checkUniqueRefIds, desiredResources, newPlan } from './plans';

const resource = (refId: string, version = '3.4', zones = 1) => ({
  ref_id: refId,
  plan: {
    cluster_topology: [
      {
        id: 'default',
        instance_configuration_id: 'etcd.default',
        size: { resource: 'memory' as const, value: 256 },
        zone_count: zones,
      },
    ],
    etcd: { version },
  },
});
const web = {
  ref_id: 'web',
  plan: { cluster_topology: resource('x').plan.cluster_topology, http: { version: '1' } },
};
const supported = (kind: string) => (kind === 'etcd' ? ['3.4'] : kind === 'http' ? ['1'] : undefined);

describe('plan construction', () => {
  it('names each unsupported version by its path', () => {
    const resources: Resources = {
      etcd: [resource('a'), resource('b', '3.5')],
      http: [{ ...web, plan: { ...web.plan, http: { version: '2' } } }],
    };
    expect(checkStackVersions(resources, supported).map((i) => i.path)).toEqual([
      'resources.etcd[1].plan.etcd.version',
      'resources.http[0].plan.http.version',
    ]);
    expect(checkStackVersions({ etcd: [resource('a')] }, () => undefined)[0]?.message).toContain(
      'supported: none',
    );
  });

  it('refuses a ref_id used twice across stacks', () => {
    expect(checkUniqueRefIds({ etcd: [resource('a')], http: [{ ...web, ref_id: 'a' }] })).toEqual([
      { path: 'resources.http[0].ref_id', message: 'duplicate ref_id' },
    ]);
  });

  it('keeps orphaned resources unless prune_orphans is true', () => {
    const base: Resources = { etcd: [resource('a'), resource('b')], http: [web] };
    const request: DeploymentUpdateRequest = { resources: { etcd: [resource('a', '3.4', 3)] } };
    expect(desiredResources(request, base)).toEqual({
      etcd: [resource('a', '3.4', 3), resource('b')],
      http: [web],
    });
    expect(desiredResources({ ...request, prune_orphans: true }, base)).toEqual(request.resources);
    expect(desiredResources(request, undefined)).toEqual(request.resources);
    expect(desiredResources(request, {})).toEqual(request.resources);
  });

  it('makes a shutdown plan for delete', () => {
    const plan = newPlan('dep', {}, 'delete', new Date(0));
    expect(plan).toMatchObject({
      deployment_id: 'dep',
      shutdown: true,
      resources: {},
      source: { action: 'delete' },
    });
    expect(newPlan('dep', {}, 'update', new Date(0)).shutdown).toBeUndefined();
    expect(newPlan('dep', {}, 'create', new Date(0), 'r'.repeat(32)).source.request_id).toBe('r'.repeat(32));
  });
});
