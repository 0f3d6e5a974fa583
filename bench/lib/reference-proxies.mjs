// The reference proxies the proxy benchmarks compare against, as Debian ships them: HAProxy
// (one thread, keep-alive to the upstream, optionally terminating TLS with ALPN h2) and nginx
// (one worker, an upstream keep-alive pool). Each writes its config into `dir`, listens on a free
// loopback port and is ready when that port accepts a connection. Loopback only.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@wharf/testkit';

/** How long a reference proxy may take to listen. */
const READY_TIMEOUT_MS = 5_000;

/** Whether the Debian package's binary runs here (`haproxy -v`, `nginx -v`). */
export function installed(bin) {
  return spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0;
}

/** Resolves once `port` accepts a connection; rejects when `child` exits or the time is up. */
export async function waitForPort(port, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${child.spawnfile} did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * HAProxy 2.6, one thread like the one-process Node proxy, keep-alive to the upstream. With
 * `tls` ({ certPem, keyPem }) it terminates TLS with that certificate and offers h2 and
 * http/1.1 by ALPN.
 */
export async function startHaproxy(dir, upstreamPort, tls) {
  const port = await freePort();
  let bind = `  bind 127.0.0.1:${port}`;
  if (tls) {
    const pem = join(dir, 'haproxy.pem');
    writeFileSync(pem, `${tls.certPem}${tls.keyPem}`, { mode: 0o600 });
    bind += ` ssl crt ${pem} alpn h2,http/1.1`;
  }
  const config = [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend front',
    bind,
    '  default_backend upstream',
    'backend upstream',
    '  http-reuse always',
    `  server u1 127.0.0.1:${upstreamPort}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'haproxy.cfg'), config);
  const child = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
  await waitForPort(port, child);
  return { port, pid: child.pid, child, stop: () => child.kill('SIGTERM') };
}

/** nginx, one worker, upstream keep-alive pool (`nginx-light`); stopped gracefully (SIGQUIT). */
export async function startNginx(dir, upstreamPort) {
  const port = await freePort();
  const config = [
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'nginx-error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${join(dir, 'body')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  upstream u { server 127.0.0.1:${upstreamPort}; keepalive 64; }`,
    `  server { listen 127.0.0.1:${port}; location / {`,
    '    proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection ""; } }',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(port, child);
  return { port, pid: child.pid, child, stop: () => child.kill('SIGQUIT') };
}
