import {
  bodyHash,
  canonicalJson,
  parseMarker,
  requestIdHash,
  serializeMarker,
  type RequestMarker,
} from './request-marker';

describe('request markers', () => {
  it('hashes bodies independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(bodyHash({ a: 1, b: 2 })).toBe(bodyHash({ b: 2, a: 1 }));
    expect(bodyHash({ a: 1 })).not.toBe(bodyHash({ a: 2 }));
  });

  it('names a marker by the sha256 of the request id', () => {
    expect(requestIdHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('round-trips a marker and refuses something else', () => {
    const marker: RequestMarker = {
      schema_version: 1,
      deployment_id: 'd1',
      body_sha256: 'x',
      created: 't',
      response: { id: 'd1' },
    };
    expect(parseMarker(serializeMarker(marker))).toEqual(marker);
    expect(() => parseMarker(Buffer.from('nope'))).toThrow('not JSON');
    expect(() => parseMarker(Buffer.from(JSON.stringify({ ...marker, deployment_id: '../x' })))).toThrow(
      'invalid request marker',
    );
  });
});
