import { DEFAULT_INSTANCE_CONFIGURATIONS, type InstanceConfiguration } from '@wharf/model';
import { configurationsFrom } from './reads';

const ROOT = '/platform/instance-configurations';

describe('configurationsFrom (the configurations cache)', () => {
  it('takes the cached document, else the built-in one, else undefined', () => {
    const stored = {
      ...DEFAULT_INSTANCE_CONFIGURATIONS['http.default']!,
      id: 'http.big',
    } as InstanceConfiguration;
    const asked: string[] = [];
    const out = configurationsFrom(['http.big', 'http.default', 'nope'], (path) => {
      asked.push(path);
      return path === `${ROOT}/http.big` ? stored : undefined;
    });
    expect(out.get('http.big')).toBe(stored);
    expect(out.get('http.default')).toBe(DEFAULT_INSTANCE_CONFIGURATIONS['http.default']);
    expect(out.has('nope')).toBe(true);
    expect(out.get('nope')).toBeUndefined();
    expect(asked).toEqual([`${ROOT}/http.big`, `${ROOT}/http.default`, `${ROOT}/nope`]);
  });

  it('never turns an id the plan schema forbids into a path', () => {
    const asked: string[] = [];
    const out = configurationsFrom(['../secrets', 'UPPER'], (path) => {
      asked.push(path);
      return undefined;
    });
    expect(asked).toEqual([]);
    expect([...out.values()]).toEqual([undefined, undefined]);
  });
});
