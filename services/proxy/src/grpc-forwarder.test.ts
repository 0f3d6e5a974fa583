import { isGrpc } from './grpc-forwarder';
import { servingSans } from './serving-certificate';

describe('isGrpc', () => {
  it('is HTTP/2 with a gRPC content type only', () => {
    expect(isGrpc(2, 'application/grpc')).toBe(true);
    expect(isGrpc(2, 'application/grpc+proto')).toBe(true);
    expect(isGrpc(2, 'application/json')).toBe(false);
    expect(isGrpc(2, undefined)).toBe(false);
    expect(isGrpc(1, 'application/grpc')).toBe(false);
  });
});

describe('servingSans', () => {
  it('covers the deployments and the bare domain, and loopback only for localhost', () => {
    expect(servingSans('wharf.example.com')).toEqual({
      dns: ['*.wharf.example.com', 'wharf.example.com'],
      ips: [],
    });
    expect(servingSans('localhost').ips).toEqual(['127.0.0.1', '::1']);
  });
});
