import { createCsr, generateRsaKeyPair } from '@wharf/pki';
import { parseEnrolRequest } from './enrol-request';

let csr: string;

// Key generation can outlast jest's 5 s default on a loaded machine.
beforeAll(async () => {
  const keys = await generateRsaKeyPair();
  csr = createCsr({ privateKeyPem: keys.privateKeyPem, subject: { commonName: 'h1' } });
}, 30_000);

const pathOf = (body: unknown): string | undefined => {
  try {
    parseEnrolRequest(body);
    return undefined;
  } catch (err) {
    return (err as { code: string; details: { path: string }[] }).details[0]?.path;
  }
};

test('a valid request lists its services with their CSRs, and the host roles they need', () => {
  const parsed = parseEnrolRequest({
    hostId: 'h1',
    token: 't',
    csrs: { proxy: csr, api: csr, runner: csr, constructor: csr },
  });
  expect(parsed.services).toEqual(['proxy', 'api', 'runner', 'constructor']);
  expect(parsed.roles).toEqual(['coordinator', 'proxy']);
  expect(parsed.csrs.get('api')).toBe(csr);
  // The runner's certificate needs no role: every host runs one.
  expect(parseEnrolRequest({ hostId: 'h1', token: 't', csrs: { runner: csr } }).roles).toEqual([]);
});

test('every bad field is named', () => {
  expect(pathOf(null)).toBe('body');
  expect(pathOf([])).toBe('body');
  expect(pathOf({ hostId: 'h1', token: 't', csrs: { proxy: csr }, extra: 1 })).toBe('extra');
  expect(pathOf({ hostId: 'H1', token: 't', csrs: { proxy: csr } })).toBe('hostId');
  expect(pathOf({ hostId: 'h1', token: '', csrs: { proxy: csr } })).toBe('token');
  expect(pathOf({ hostId: 'h1', token: 'x'.repeat(201), csrs: { proxy: csr } })).toBe('token');
  expect(pathOf({ hostId: 'h1', token: 't', csrs: [] })).toBe('csrs');
  expect(pathOf({ hostId: 'h1', token: 't', csrs: {} })).toBe('csrs');
  expect(pathOf({ hostId: 'h1', token: 't', csrs: { root: csr } })).toBe('csrs.root');
  // Host roles are not services: a coordinator host asks for api and constructor.
  expect(pathOf({ hostId: 'h1', token: 't', csrs: { coordinator: csr } })).toBe('csrs.coordinator');
  expect(pathOf({ hostId: 'h1', token: 't', csrs: { proxy: 42 } })).toBe('csrs.proxy');
  // A CSR whose signature does not match its key (tampered): no proof of possession.
  const tampered = csr.replace(
    /(\n[A-Za-z0-9+/]{10})[A-Za-z0-9+/]/,
    (m, head: string) => `${head}${m.endsWith('A') ? 'B' : 'A'}`,
  );
  expect(pathOf({ hostId: 'h1', token: 't', csrs: { proxy: tampered } })).toBe('csrs.proxy');
});
