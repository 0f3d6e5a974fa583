import { createPrivateKey } from 'node:crypto';
import {
  decryptPrivateKeyPem,
  encryptPrivateKeyPem,
  generateRsaKeyPair,
  isEncryptedKeyPem,
  loadPrivateKey,
  type KeyPairPem,
} from './keys';

let keys: KeyPairPem;
// Key generation can outlast jest's 5 s default on a loaded machine.
beforeAll(async () => {
  keys = await generateRsaKeyPair();
}, 30_000);

describe('keys', () => {
  test('generates PKCS#8 RSA-2048 keys and refuses smaller ones', async () => {
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPrivateKey(keys.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    await expect(generateRsaKeyPair(1024)).rejects.toMatchObject({ code: 'WHARF_PKI_INVALID' });
  });

  test('encrypts with a passphrase (PKCS#8) and decrypts back to the same key', () => {
    const encrypted = encryptPrivateKeyPem(keys.privateKeyPem, 'correct horse battery');
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(isEncryptedKeyPem(encrypted)).toBe(true);
    expect(isEncryptedKeyPem(keys.privateKeyPem)).toBe(false);
    expect(decryptPrivateKeyPem(encrypted, 'correct horse battery')).toBe(keys.privateKeyPem);
  });

  test('a wrong or missing passphrase and a short one are coded errors without key material', () => {
    const encrypted = encryptPrivateKeyPem(keys.privateKeyPem, 'correct horse battery');
    for (const passphrase of ['wrong horse battery', undefined]) {
      try {
        loadPrivateKey(encrypted, passphrase);
        throw new Error('decrypted');
      } catch (err) {
        expect(err).toMatchObject({ code: 'WHARF_PKI_KEY_ERROR', details: { encrypted: true } });
        expect(JSON.stringify(err)).not.toContain('PRIVATE KEY');
      }
    }
    expect(() => encryptPrivateKeyPem(keys.privateKeyPem, 'short')).toThrow(/passphrase too short/);
  });
});
