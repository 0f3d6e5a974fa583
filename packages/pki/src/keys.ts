import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { WharfError } from '@wharf/model';
import { PEM_TYPES, invalidPem, splitPem } from './pem';

/*
 * Keys are RSA because node-forge can only build X.509 structures for RSA keys (no ECDSA or
 * Ed25519 certificates: forge issues #532, #1113). Key generation, signing and key encryption use
 * Node's native crypto (OpenSSL), which is 10–100× faster than forge's pure JavaScript and async;
 * forge only assembles and parses the ASN.1.
 */

/**
 * Root CA key size. RSA-3072 is NIST's level for protection beyond 2030 (SP 800-57), matching the
 * CA's 10-year lifetime; it costs ~0.2 s to generate, once per installation.
 */
export const CA_KEY_BITS = 3072;

/**
 * Service (leaf) key size. RSA-2048 is acceptable through 2030 and leaf certificates live one
 * year; generation is ~0.1 s, so enrolment and rotation of many services stay quick.
 */
export const LEAF_KEY_BITS = 2048;

/** Smallest RSA key we generate or accept in a CSR (anything smaller is breakable). */
export const MIN_KEY_BITS = 2048;

/** Cipher of an encrypted CA key (PKCS#8 `ENCRYPTED PRIVATE KEY`, PBES2 with AES-256-CBC). */
export const KEY_CIPHER = 'aes-256-cbc';

/** Shortest passphrase accepted for encrypting the CA key: a shorter one is guessable offline. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** A private key (PKCS#8 PEM) and its public key (SPKI PEM). */
export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

const generate = promisify(generateKeyPair);

/** Generates an RSA key pair off the main thread (OpenSSL's thread pool). */
export async function generateRsaKeyPair(bits: number = LEAF_KEY_BITS): Promise<KeyPairPem> {
  if (!Number.isInteger(bits) || bits < MIN_KEY_BITS) {
    throw new WharfError('WHARF_PKI_INVALID', 'invalid key size', {
      details: { field: 'bits', value: bits, min: MIN_KEY_BITS },
    });
  }
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** True when `pem` holds a passphrase-encrypted private key. */
export function isEncryptedKeyPem(pem: string | Buffer): boolean {
  return splitPem(pem, 'key').some(
    (b) => b.type === PEM_TYPES.encryptedPrivateKey || b.pem.includes('Proc-Type: 4,ENCRYPTED'),
  );
}

/**
 * Reads a private key (PKCS#8 or PKCS#1, encrypted or not) into a KeyObject. A wrong or missing
 * passphrase and a non-RSA key are WHARF_PKI_KEY_ERROR; the error never includes key material.
 */
export function loadPrivateKey(pem: string | Buffer, passphrase?: string): KeyObject {
  splitPem(pem, 'key'); // shape check with our error before OpenSSL sees it
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase: passphrase ?? '' });
  } catch (err) {
    const encrypted = isEncryptedKeyPem(pem);
    throw new WharfError(
      'WHARF_PKI_KEY_ERROR',
      encrypted ? 'cannot decrypt private key (wrong or missing passphrase)' : 'cannot read private key',
      { details: { encrypted }, cause: err },
    );
  }
  assertRsa(key);
  return key;
}

/** The key as unencrypted PKCS#8 PEM (the form forge and ZooKeeper's PEM key store read). */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The key as PKCS#8 PEM encrypted with `passphrase` (AES-256-CBC, PBKDF2). */
export function encryptPrivateKeyPem(pem: string | Buffer, passphrase: string): string {
  assertPassphrase(passphrase);
  const key = loadPrivateKey(pem);
  return key.export({ type: 'pkcs8', format: 'pem', cipher: KEY_CIPHER, passphrase }).toString();
}

/** Decrypts an encrypted private key PEM to plain PKCS#8 PEM. */
export function decryptPrivateKeyPem(pem: string | Buffer, passphrase: string): string {
  return privateKeyToPem(loadPrivateKey(pem, passphrase));
}

/** The SPKI PEM of a private key's public half. */
export function publicKeyPemOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

/** Reads an SPKI public key PEM; WHARF_PKI_INVALID when unreadable or not RSA ≥ MIN_KEY_BITS. */
export function loadPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw invalidPem('publicKey', 'unreadable public key', err);
  }
  assertRsa(key);
  return key;
}

/** Rejects a passphrase shorter than {@link MIN_PASSPHRASE_LENGTH}. */
export function assertPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new WharfError('WHARF_PKI_INVALID', 'passphrase too short', {
      details: { field: 'passphrase', min: MIN_PASSPHRASE_LENGTH },
    });
  }
}

function assertRsa(key: KeyObject): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_KEY_BITS) {
    throw new WharfError('WHARF_PKI_INVALID', 'unsupported key: RSA of at least 2048 bits required', {
      details: { field: 'key', type: key.asymmetricKeyType, bits, min: MIN_KEY_BITS },
    });
  }
}
