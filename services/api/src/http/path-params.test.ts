import { isDecodable, malformedSegment } from './path-params';

const TEMPLATES = ['/api/v1/deployments/:id', '/api/v1/deployments/:id/plan', '/api/v1/hosts/:host/roles'];

describe('malformedSegment', () => {
  it('names the parameter the malformed segment fills', () => {
    expect(malformedSegment('/api/v1/deployments/%zz', TEMPLATES)).toEqual({ param: 'id', value: '%zz' });
    expect(malformedSegment('/api/v1/deployments/%/plan', TEMPLATES)).toEqual({ param: 'id', value: '%' });
    expect(malformedSegment('/api/v1/hosts/a%e0%a4/roles', TEMPLATES)).toEqual({
      param: 'host',
      value: 'a%e0%a4',
    });
  });

  it('names the path when no template puts a parameter there', () => {
    expect(malformedSegment('/api/v1/deploy%zz/x', TEMPLATES)).toEqual({ param: 'path', value: 'deploy%zz' });
    expect(malformedSegment('/api/v1/deployments/%zz/nope', TEMPLATES)).toEqual({
      param: 'path',
      value: '%zz',
    });
  });

  it('passes well-formed paths and bounds the echoed segment', () => {
    expect(malformedSegment('/api/v1/deployments/%41bc', TEMPLATES)).toBeUndefined();
    expect(malformedSegment(`/api/v1/deployments/${'%zz'.repeat(100)}`, TEMPLATES)?.value).toHaveLength(67);
    expect(isDecodable('%E2%82%AC')).toBe(true);
    expect(isDecodable('%E2%82')).toBe(false);
  });
});
