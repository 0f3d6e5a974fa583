import { connect } from 'node:net';

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
 * answered within `timeoutMs` (refused, frozen, filtered). Needs `4lw.commands.whitelist`.
 */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs: number,
): Promise<string | null> {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = connect({ host, port });
    const finish = (value: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
    });
    socket.on('end', () => finish(reply));
    socket.on('error', () => finish(null));
  });
}

/** True when the first server of `connectString` answers `ruok` with `imok` within `timeoutMs`. */
export async function probeZooKeeper(connectString: string, timeoutMs: number): Promise<boolean> {
  const { host, port } = firstServer(connectString);
  return (await fourLetterWord(host, port, 'ruok', timeoutMs)) === 'imok';
}
