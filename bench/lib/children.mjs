// Benchmark processes (proxies, upstreams) as IPC children: each sends one message when ready.
import { fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Starts `bench/lib/<script>`; resolves with the child and its first message. With `cpu` set it is
 * pinned to that CPU with taskset (the caller checks that taskset exists).
 */
export function startChild(script, args, cpu) {
  const path = join(here, script);
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child =
    cpu === undefined
      ? fork(path, args, { stdio })
      : spawn('taskset', ['-c', String(cpu), process.execPath, path, ...args], { stdio });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, ...message }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

/** Asks a child to stop; SIGKILL after 5 s. */
export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send('stop');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}
