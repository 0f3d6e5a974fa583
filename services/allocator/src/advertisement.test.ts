import { validateDocument } from '@wharf/model';
import { advertisementDocument, maintenanceOf, serviceRegistration } from './advertisement';
import { compileAllocatorOptions } from './options';

const config = compileAllocatorOptions({
  id: 'alloc-a',
  home: '/h',
  capacityMb: 2048,
  cpus: 2,
  tags: { ssd: 'true' },
});

describe('advertisement', () => {
  it('is a valid document carrying capacity, range, tags and the given maintenance flag', () => {
    const doc = advertisementDocument(config, true, '2026-01-01T00:00:00.000Z');
    expect(validateDocument('allocator-advertisement', doc).ok).toBe(true);
    expect(doc).toMatchObject({
      capacity: { memory_mb: 2048, cpus: 2 },
      tags: { ssd: 'true' },
      maintenance: true,
    });
  });

  it('keeps maintenance only when the stored document says true', () => {
    expect(maintenanceOf({ maintenance: true })).toBe(true);
    expect(maintenanceOf({ maintenance: 'yes' })).toBe(false);
    expect(maintenanceOf(undefined)).toBe(false);
  });

  it('registers the service with a valid registration', () => {
    expect(
      validateDocument('service-registration', serviceRegistration(config, '2026-01-01T00:00:00.000Z')).ok,
    ).toBe(true);
  });
});
