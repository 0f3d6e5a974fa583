import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  SERVICE_KEY_FILE,
  createRootCa,
  loadCa,
  loadOrCreateCa,
  readTlsCredentials,
  saveCa,
  writeTlsCredentials,
} from '@wharf/pki';

const PASSPHRASE = 'a passphrase from the environment';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wharf-pki-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('CA store', () => {
  test('stores the key 0600 in a 0700 directory, encrypted with a passphrase, and loads it back', async () => {
    const ca = await createRootCa();
    const dir = join(root, 'ca');
    await saveCa(dir, ca, { passphrase: PASSPHRASE });
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, CA_KEY_FILE))).toBe(0o600);
    expect(await modeOf(join(dir, CA_CERT_FILE))).toBe(0o644);
    const onDisk = await readFile(join(dir, CA_KEY_FILE), 'utf8');
    expect(onDisk).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(onDisk).not.toContain(ca.exportKeyPem().split('\n')[1]);

    const loaded = await loadCa(dir, { passphrase: PASSPHRASE });
    expect(loaded.certPem).toBe(ca.certPem);
    const leaf = await loaded.issue({ profile: 'client', subject: { hostId: 'h1', role: 'api' } });
    expect(ca.verify(leaf.certPem).x509Id).toBe('CN=h1,OU=api,O=Wharf');

    await expect(loadCa(dir)).rejects.toMatchObject({
      code: 'WHARF_PKI_KEY_ERROR',
      message: /WHARF_CA_PASSPHRASE/,
    });
    await expect(loadCa(dir, { passphrase: 'not the passphrase' })).rejects.toMatchObject({
      code: 'WHARF_PKI_KEY_ERROR',
    });
  }, 20_000);

  test('refuses a key readable by others, a second CA in the same place, and a missing key', async () => {
    const dir = join(root, 'ca');
    const first = await loadOrCreateCa(dir);
    expect(first.created).toBe(true);
    expect(await readFile(join(dir, CA_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = await loadOrCreateCa(dir);
    expect(again).toMatchObject({ created: false });
    expect(again.ca.certPem).toBe(first.ca.certPem);

    await expect(saveCa(dir, await createRootCa())).rejects.toMatchObject({ code: 'WHARF_CONFLICT' });
    expect((await loadCa(dir)).certPem).toBe(first.ca.certPem);

    await chmod(join(dir, CA_KEY_FILE), 0o640);
    await expect(loadCa(dir)).rejects.toMatchObject({
      code: 'WHARF_PKI_KEY_ERROR',
      details: { mode: '640' },
    });
    await expect(loadCa(join(root, 'nowhere'))).rejects.toMatchObject({ code: 'WHARF_PKI_KEY_ERROR' });
  }, 20_000);
});

describe('service TLS credentials', () => {
  test('are written with the key 0600 and read back; a rotation replaces them in place', async () => {
    const ca = await createRootCa();
    const dir = join(root, 'tls', 'allocator');
    const first = await ca.issue({ profile: 'client', subject: { hostId: 'h1', role: 'allocator' } });
    await writeTlsCredentials(dir, { ca: ca.certPem, cert: first.certPem, key: first.keyPem });
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, SERVICE_KEY_FILE))).toBe(0o600);
    expect(await readTlsCredentials(dir)).toEqual({ ca: ca.certPem, cert: first.certPem, key: first.keyPem });

    const renewed = await ca.reissue(first.certPem);
    await writeTlsCredentials(dir, { ca: ca.certPem, cert: renewed.certPem, key: renewed.keyPem });
    expect((await readTlsCredentials(dir)).cert).toBe(renewed.certPem);

    await chmod(join(dir, SERVICE_KEY_FILE), 0o644);
    await expect(readTlsCredentials(dir)).rejects.toMatchObject({
      code: 'WHARF_PKI_KEY_ERROR',
      details: { mode: '644' },
    });
  }, 20_000);
});
