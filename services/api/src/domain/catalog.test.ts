import {
  DEFAULT_DEPLOYMENT_TEMPLATES,
  DEFAULT_INSTANCE_CONFIGURATIONS,
  type InstanceConfiguration,
  type Resources,
} from '@wharf/model';
import { applyTemplate, blameOverrides, configurationIssues, mergeCatalog, planUses } from './catalog';

const etcdDefault = DEFAULT_DEPLOYMENT_TEMPLATES['etcd-default']!;
const configs = new Map<string, InstanceConfiguration | undefined>(
  Object.entries(DEFAULT_INSTANCE_CONFIGURATIONS),
);
const T = 'resources.etcd[0].plan.cluster_topology[0]';

function etcdOn(ic: string, value: number): Resources {
  const resources = structuredClone(etcdDefault.deployment.resources);
  resources.etcd![0]!.plan.cluster_topology[0] = {
    id: 'default',
    instance_configuration_id: ic,
    size: { resource: 'memory', value },
    zone_count: 3,
  };
  return resources;
}

describe('configurationIssues', () => {
  it('accepts an allowed size and any size of a configuration without discrete sizes', () => {
    expect(configurationIssues(etcdOn('etcd.small', 512), configs)).toEqual([]);
    expect(configurationIssues(etcdOn('etcd.default', 777), configs)).toEqual([]);
  });

  it('names the size a configuration does not allow, and an unknown or foreign configuration', () => {
    expect(configurationIssues(etcdOn('etcd.small', 1024), configs)).toEqual([
      { path: `${T}.size`, message: "1024 MB is not allowed by 'etcd.small' (allowed: 256, 512)" },
    ]);
    expect(configurationIssues(etcdOn('etcd.none', 256), configs, 'deployment.')[0]?.path).toBe(
      `deployment.${T}.instance_configuration_id`,
    );
    expect(configurationIssues(etcdOn('http.default', 256), configs)[0]?.message).toContain("stack 'http'");
  });
});

describe('applyTemplate', () => {
  it('starts from the template and applies the overrides without changing the template', () => {
    const before = structuredClone(etcdDefault);
    const merged = applyTemplate(etcdDefault, {
      name: 'orders',
      deployment_template: { id: 'etcd-default', size: 512, zone_count: 1, version: '3.5' },
    });
    expect(merged.name).toBe('orders');
    const plan = merged.resources.etcd![0]!.plan;
    expect(plan.cluster_topology[0]).toMatchObject({
      size: { resource: 'memory', value: 512 },
      zone_count: 1,
    });
    expect(plan.etcd.version).toBe('3.5');
    expect(etcdDefault).toEqual(before);
  });

  it("keeps the template's name and replaces a stack's resources the request gives", () => {
    const merged = applyTemplate(etcdDefault, {
      deployment_template: { id: 'etcd-default' },
      resources: { etcd: etcdOn('etcd.medium', 1024).etcd! },
    });
    expect(merged.name).toBe('etcd');
    expect(merged.resources.etcd![0]!.plan.cluster_topology[0]!.instance_configuration_id).toBe(
      'etcd.medium',
    );
  });
});

describe('blameOverrides', () => {
  it('names the override for an issue about a field it set, and leaves the others', () => {
    const issues = [
      { path: `${T}.size`, message: 'x' },
      { path: 'resources.etcd[0].plan.etcd.version', message: 'y' },
      { path: 'name', message: 'z' },
    ];
    expect(blameOverrides(issues, { id: 't', size: 1 }).map((i) => i.path)).toEqual([
      'deployment_template.size',
      'resources.etcd[0].plan.etcd.version',
      'name',
    ]);
  });
});

describe('mergeCatalog and planUses', () => {
  it('lets a stored document override the built-in of its id', () => {
    const stored = { ...DEFAULT_INSTANCE_CONFIGURATIONS['etcd.small']!, cpu_multiplier: 2 };
    const merged = mergeCatalog(DEFAULT_INSTANCE_CONFIGURATIONS, [stored]);
    expect(merged.find((c) => c.id === 'etcd.small')).toMatchObject({
      cpu_multiplier: 2,
      stored: true,
      system_owned: true,
    });
    expect(merged.find((c) => c.id === 'etcd.medium')).toMatchObject({ stored: false, system_owned: true });
  });

  it('finds a configuration in a plan', () => {
    const plan = { resources: etcdOn('etcd.large', 4096) } as never;
    expect(planUses(plan, 'etcd.large')).toBe(true);
    expect(planUses(plan, 'etcd.small')).toBe(false);
    expect(planUses(undefined, 'etcd.large')).toBe(false);
  });
});
