/**
 * Where each service's `dist/main.js` is. The CLI never imports a service: it finds the installed
 * `@wharf/<service>` package directory (workspace symlink or install) by walking up from its own
 * location, and spawns `node <dir>/dist/main.js`.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WharfError } from '@wharf/model';
import { PLATFORM_PACKAGES, type PlatformPackage } from './host-plan';

/** Entry point of every service package, relative to its directory (each service's `bin`). */
export const SERVICE_MAIN = join('dist', 'main.js');

/**
 * The entry point of every platform package (the runner and the services it starts). With `servicesRoot`, `<root>/<service>/dist/main.js`
 * (a source checkout's `services/`, or test doubles); otherwise the installed packages.
 * Throws `WHARF_NOT_FOUND` listing every missing entry point.
 */
export function resolveServiceEntries(
  fromDir: string,
  servicesRoot?: string,
): Record<PlatformPackage, string> {
  const entries = {} as Record<PlatformPackage, string>;
  const missing: string[] = [];
  for (const service of PLATFORM_PACKAGES) {
    // The runner comes from `servicesRoot` when it is there, else from the installed package.
    const rooted = servicesRoot === undefined ? undefined : join(servicesRoot, service);
    const dir =
      rooted !== undefined && (service !== 'runner' || existsSync(join(rooted, SERVICE_MAIN)))
        ? rooted
        : findPackageDir(fromDir, `@wharf/${service}`);
    const entry = dir === undefined ? undefined : join(dir, SERVICE_MAIN);
    if (entry === undefined || !existsSync(entry)) missing.push(entry ?? `@wharf/${service}/${SERVICE_MAIN}`);
    else entries[service] = entry;
  }
  if (missing.length > 0) {
    throw new WharfError(
      'WHARF_NOT_FOUND',
      `service entry points not found (build them first: npm run build): ${missing.join(', ')}`,
      {
        details: missing.map((path) => ({ path, message: 'not found' })),
      },
    );
  }
  return entries;
}

/** The directory of installed package `name` seen from `fromDir` (Node's node_modules lookup). */
export function findPackageDir(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    // realpath: a workspace symlink becomes `services/<name>`, the path people recognise in `ps`.
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The director's entry point, for `wharf up --directors 3` where the supervisor runs directors
 * itself: `<servicesRoot>/director/dist/main.js` when there, else the installed `@wharf/director`.
 */
export function resolveDirectorEntry(fromDir: string, servicesRoot?: string): string {
  const rooted = servicesRoot === undefined ? undefined : join(servicesRoot, 'director', SERVICE_MAIN);
  if (rooted !== undefined && existsSync(rooted)) return rooted;
  const dir = findPackageDir(fromDir, '@wharf/director');
  const entry = dir === undefined ? undefined : join(dir, SERVICE_MAIN);
  if (entry === undefined || !existsSync(entry)) {
    throw new WharfError(
      'WHARF_NOT_FOUND',
      `the director's entry point was not found (build it first: npm run build): ${entry ?? '@wharf/director'}`,
    );
  }
  return entry;
}
