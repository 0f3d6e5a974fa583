import { IpcRouteSource } from './ipc-route-source';
import type { RouteSourceEvent } from '../route-source';

const names = (source: IpcRouteSource) => [...(source.documents() ?? [])].map((d) => d.name).sort();

describe('IpcRouteSource', () => {
  it('is uninitialised until the first full set, then applies deltas', async () => {
    const source = new IpcRouteSource();
    const events: RouteSourceEvent['type'][] = [];
    source.subscribe((event) => events.push(event.type));
    await source.start();
    source.apply(false, [['x', '{}']], []); // a delta before the full set means nothing
    expect(source.documents()).toBeUndefined();

    source.apply(
      true,
      [
        ['a', '{"a":1}'],
        ['b', '{"b":1}'],
      ],
      [],
    );
    expect(names(source)).toEqual(['a', 'b']);
    source.apply(false, [['c', '{"c":1}']], ['a']);
    expect(names(source)).toEqual(['b', 'c']);
    source.apply(true, [['d', '{}']], []); // a full set replaces everything
    expect(names(source)).toEqual(['d']);
    expect(events).toEqual(['initialized', 'changed', 'resynced']);
  });
});
