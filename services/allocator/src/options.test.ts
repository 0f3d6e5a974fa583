import { compileAllocatorOptions, parsePortRange, parseTags } from './options';

describe('compileAllocatorOptions', () => {
  it('defaults capacity to 85% of host memory and cpus to host cores', () => {
    const config = compileAllocatorOptions({ id: 'alloc-a', home: '/h', hostMemoryMb: 1000, hostCpus: 4 });
    expect(config).toMatchObject({ capacityMb: 850, cpus: 4, zone: 'zone-a', host: '127.0.0.1' });
    expect(config.allocatorDir).toBe('/h/allocators/alloc-a');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('rejects an invalid id, range or capacity', () => {
    expect(() => compileAllocatorOptions({ id: 'Bad_Id', home: '/h', capacityMb: 1 })).toThrow(
      /invalid allocator id/,
    );
    expect(() =>
      compileAllocatorOptions({ id: 'a', home: '/h', capacityMb: 1, portRange: { from: 5, to: 4 } }),
    ).toThrow(/port range/);
    expect(() => compileAllocatorOptions({ id: 'a', home: '/h' })).toThrow(/capacityMb/);
  });
});

describe('parsePortRange / parseTags', () => {
  it('parses the documented formats', () => {
    expect(parsePortRange('20000-20999')).toEqual({ from: 20000, to: 20999 });
    expect(parseTags('ssd=true, region=eu')).toEqual({ ssd: 'true', region: 'eu' });
    expect(parseTags('')).toEqual({});
  });

  it('rejects malformed input', () => {
    expect(() => parsePortRange('20000')).toThrow(/port range/);
    expect(() => parseTags('novalue')).toThrow(/key=value/);
  });
});
