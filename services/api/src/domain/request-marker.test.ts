import {
  DEFAULT_REQUEST_ID_TTL_SECONDS,
  bodyHash,
  canonicalJson,
  isMarkerExpired,
  markerExpiry,
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

  describe('expiry', () => {
    const TTL = 3_600_000;
    const created = '2026-01-01T00:00:00.000Z';
    const at = Date.parse(created);
    const marker: RequestMarker = {
      schema_version: 1,
      deployment_id: 'd1',
      body_sha256: 'x',
      created,
      response: {},
    };

    it('expires a marker TTL after its created instant, not a millisecond earlier', () => {
      let now = at;
      const clock = { now: () => now };
      expect(markerExpiry(marker, 0, TTL)).toBe(at + TTL);
      now = at + TTL - 1;
      expect(isMarkerExpired(marker, 0, TTL, clock.now())).toBe(false);
      now = at + TTL;
      expect(isMarkerExpired(marker, 0, TTL, clock.now())).toBe(true);
    });

    it('judges an unreadable marker, or one with a bad timestamp, by its znode creation time', () => {
      expect(markerExpiry(undefined, at, TTL)).toBe(at + TTL);
      expect(markerExpiry({ ...marker, created: 'yesterday' }, at + 5, TTL)).toBe(at + 5 + TTL);
      expect(isMarkerExpired(undefined, at, TTL, at + TTL - 1)).toBe(false);
    });

    it('defaults to a day', () => {
      expect(DEFAULT_REQUEST_ID_TTL_SECONDS).toBe(86_400);
    });
  });
});
