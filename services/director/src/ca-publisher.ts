/**
 * Publishes the CA certificate (never its key) at `/director/ca`. One CA per installation: a
 * director whose CA differs from the published one refuses to start rather than replace it,
 * which would silently invalidate every certificate issued.
 */
import { WharfError, paths, type DirectorCa } from '@wharf/model';
import { caFingerprint, type CertificateAuthority } from '@wharf/pki';
import { DocumentStore, type ZkSession } from '@wharf/zk';

/** Creates `/director/ca`, or checks that it holds this CA. Returns the published document. */
export async function publishCa(
  zk: ZkSession,
  ca: CertificateAuthority,
  directorId: string,
  now: Date,
): Promise<DirectorCa> {
  const doc: DirectorCa = {
    schema_version: 1,
    cert_pem: ca.certPem,
    fingerprint: caFingerprint(ca.certPem),
    not_after: ca.info.notAfter.toISOString(),
    director: directorId,
    updated: now.toISOString(),
  };
  const docs = new DocumentStore(zk);
  await zk.mkdirp(paths.directorRoot());
  if (await docs.createIfAbsent('director-ca', paths.directorCa(), doc)) return doc;
  const current = await docs.read('director-ca', paths.directorCa());
  if (current !== undefined && current.value.fingerprint === doc.fingerprint) return current.value;
  throw new WharfError('WHARF_CONFLICT', 'another CA is published at /director/ca', {
    details: [
      {
        path: 'ca',
        message: `published ${current?.value.fingerprint ?? 'unreadable'}, local ${doc.fingerprint}`,
      },
    ],
  });
}
