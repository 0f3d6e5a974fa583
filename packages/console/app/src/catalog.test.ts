import { sizesText, templateElements, templateFieldOf, templatedRequest, type TemplateView } from './catalog';

const etcd: TemplateView = {
  id: 'etcd-default',
  name: 'etcd, 3 zones',
  deployment: {
    name: 'etcd',
    resources: {
      etcd: [
        {
          ref_id: 'main',
          plan: {
            cluster_topology: [
              {
                instance_configuration_id: 'etcd.small',
                size: { resource: 'memory', value: 256 },
                zone_count: 3,
              },
            ],
            etcd: { version: '3.4' },
          },
        },
      ],
    },
  },
  system_owned: true,
  stored: false,
};

describe('the catalog helpers', () => {
  it('summarises what a template creates', () => {
    expect(templateElements(etcd)).toEqual([
      { stack: 'etcd', version: '3.4', configuration: 'etcd.small', memoryMb: 256, zones: 3 },
    ]);
  });

  it('lists a configuration’s allowed sizes, or any', () => {
    const base = { id: 'x', stack: 'etcd', system_owned: false, stored: true };
    expect(sizesText({ ...base, discrete_sizes: { sizes: [256, 512], default_size: 256 } })).toBe(
      '256, 512 MB (default 256)',
    );
    expect(sizesText(base)).toBe('any');
  });

  it('sends only the overrides that were typed, numbers as numbers', () => {
    expect(templatedRequest({ template: 'etcd-default', name: '', size: '', zone_count: '' })).toEqual({
      deployment_template: { id: 'etcd-default' },
    });
    expect(templatedRequest({ template: 'etcd-default', name: 'cfg', size: '512', zone_count: 'x' })).toEqual(
      {
        name: 'cfg',
        deployment_template: { id: 'etcd-default', size: 512, zone_count: 'x' },
      },
    );
  });

  it("puts the api's issues at the override fields they name", () => {
    expect(templateFieldOf('deployment_template.size')).toBe('size');
    expect(templateFieldOf('deployment_template.zone_count')).toBe('zone_count');
    expect(templateFieldOf('deployment_template.id')).toBe('template');
    expect(templateFieldOf('name')).toBe('name');
    expect(templateFieldOf('resources')).toBe('form');
  });
});
