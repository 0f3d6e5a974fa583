import { connect } from 'node:net';
import { compileZkTls, connectTls, type CompiledZkTls, type ZkTlsOptions } from './tls';

/** Default port of a ZooKeeper client connection. */
export const DEFAULT_ZK_PORT = 2181;

/** Parses the first `host:port` of a connect string (chroot and other servers ignored). */
export function firstServer(connectString: string): { host: string; port: number } {
  const first = connectString.split('/')[0]?.split(',')[0] ?? '';
  const [host, port] = first.split(':');
  return {
    host: host === undefined || host === '' ? '127.0.0.1' : host,
    port: port ? Number(port) : DEFAULT_ZK_PORT,
  };
}

/**
 * Sends a four-letter word (`ruok`, `srvr`, `mntr`…) and returns the reply, or null when nothing
 * answered within `timeoutMs` (refused, frozen, filtered). Needs `4lw.commands.whitelist`. With
 * `tls`, over the secure client port (ZooKeeper's Netty server answers four-letter words there
 * too, after the mutual TLS handshake).
 */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs: number,
  tls?: ZkTlsOptions | CompiledZkTls | null,
): Promise<string | null> {
  const compiled =
    tls === undefined || tls === null || 'secureContext' in tls ? (tls ?? null) : compileZkTls(tls);
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = compiled === null ? connect({ host, port }) : connectTls(host, port, compiled);
    const finish = (value: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on(compiled === null ? 'connect' : 'secureConnect', () => socket.end(word));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
    });
    socket.on('end', () => finish(reply));
    socket.on('error', () => finish(null));
  });
}

/** True when the first server of `connectString` answers `ruok` with `imok` within `timeoutMs`. */
export async function probeZooKeeper(
  connectString: string,
  timeoutMs: number,
  tls?: ZkTlsOptions | null,
): Promise<boolean> {
  const { host, port } = firstServer(connectString);
  return (await fourLetterWord(host, port, 'ruok', timeoutMs, tls)) === 'imok';
}
