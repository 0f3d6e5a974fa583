/**
 * Certificate rotation on the client side: a compiled TLS configuration with `reload` builds the
 * context of each new connection from the freshest PEM, and keeps the last good one when a
 * rotation is caught half-written (a certificate and key that do not match).
 */
import { createTestTls } from '@wharf/testkit';
import { compileZkTls, type ZkTlsOptions } from '../src/index';

jest.setTimeout(30_000);

test('new connections use reloaded credentials; a mismatched pair keeps the last good ones', async () => {
  const tls = await createTestTls();
  const first = await tls.client({ hostId: 'h1', role: 'api' });
  const rotated = await tls.client({ hostId: 'h1', role: 'constructor' });
  let current: Pick<ZkTlsOptions, 'ca' | 'cert' | 'key'> = first;
  const compiled = compileZkTls({ ...first, reload: () => current })!;

  const initial = compiled.secureContext;
  expect(compiled.secureContext).toBe(initial); // unchanged files: the same context

  current = rotated;
  const next = compiled.secureContext;
  expect(next).not.toBe(initial);
  expect(compiled.secureContext).toBe(next);

  current = { ca: first.ca, cert: first.cert, key: rotated.key }; // mid-rotation
  expect(compiled.secureContext).toBe(next);
  current = first;
  expect(compiled.secureContext).not.toBe(next);
});
