/**
 * The house's boundaries, as eslint.config.mjs enforces them: each snippet is linted through
 * ESLint's API as if it were a file of the named workspace (the file need not exist), with only
 * the two boundary rules running. Every rule is shown to fire and its allowed neighbour to pass,
 * so a config change that silently disables one (as an unresolvable import once did for
 * `import-x/no-cycle`) fails here. Unit-speed: no type information, no build needed.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

/** One case: `code` linted as the file `path` (relative to the repository). */
interface Snippet {
  path: string;
  code: string;
}

const LINTER = join(__dirname, 'lint-snippets.mjs');

/** The boundary rule ids reported for each snippet, in one ESLint process for all of them. */
function lintAll(snippets: Snippet[]): string[][] {
  const out = execFileSync(process.execPath, [LINTER], {
    input: JSON.stringify(snippets),
    encoding: 'utf8',
    timeout: 50_000,
  });
  return JSON.parse(out) as string[][];
}

const RESTRICTED = ['no-restricted-imports'];
const CYCLE = ['import-x/no-cycle'];
const CLEAN: string[] = [];

/** [what, file, code, expected rule ids]. */
type Case = [string, string, string, string[]];

/**
 * Cases written one a line, `what | file | code | expected` (`restricted` or `clean`): a table
 * reads better than forty wrapped array literals.
 */
function table(text: string): Case[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [what, path, code, expected] = line.split(' | ').map((cell) => cell.trim());
      return [what!, path!, code!, expected === 'restricted' ? RESTRICTED : CLEAN];
    });
}

const LIBRARY_CASES = table(`
  zk client outside zk | services/api/src/x.ts | import { createClient } from 'node-zookeeper-client'; | restricted
  zk client types outside zk | packages/cli/src/x.ts | import type { Client } from 'node-zookeeper-client'; | restricted
  dockerode outside runtime | services/runner/src/x.ts | import Dockerode from 'dockerode'; | restricted
  docker-modem outside runtime | services/allocator/src/x.ts | import Modem from 'docker-modem'; | restricted
  dockerode in an e2e test | test/x.test.ts | import Dockerode from 'dockerode'; | restricted
  node-forge outside pki | packages/testkit/src/x.ts | import forge from 'node-forge'; | restricted
  prom-client outside observability | services/proxy/src/x.ts | import { Registry } from 'prom-client'; | restricted
  winston outside observability | services/constructor/src/x.ts | import winston from 'winston'; | restricted
  express outside api | services/proxy/src/x.ts | import express from 'express'; | restricted
  typebox re-exported outside model | packages/stacks/src/x.ts | export { Type } from '@sinclair/typebox'; | restricted
  a library subpath | services/api/src/x.ts | import { x } from 'node-forge/lib/pki'; | restricted
  zk client in zk | packages/zk/src/x.ts | import { createClient } from 'node-zookeeper-client'; | clean
  dockerode in runtime | packages/runtime/src/x.ts | import Dockerode from 'dockerode'; | clean
  dockerode in runtime's tests | packages/runtime/test/x.test.ts | import Dockerode from 'dockerode'; | clean
  node-forge in pki | packages/pki/src/x.ts | import forge from 'node-forge'; | clean
  prom-client in observability | packages/observability/src/x.ts | import { Registry } from 'prom-client'; | clean
  express in api | services/api/src/x.ts | import express from 'express'; | clean
  runtime's public API in the runner | services/runner/src/x.ts | import { DockerRuntime } from '@wharf/runtime'; | clean
`);

const WORKSPACE_CASES = table(`
  a service importing a service | services/proxy/src/x.ts | import { x } from '@wharf/api'; | restricted
  the runner importing the constructor | services/runner/src/x.ts | import { x } from '@wharf/constructor'; | restricted
  a library importing a service | packages/cli/src/x.ts | import { x } from '@wharf/runner'; | restricted
  a deep import into a package's src/ | services/api/src/x.ts | import { x } from '@wharf/zk/src/session'; | restricted
  a deep import into a package's dist/ | services/api/src/x.ts | import { x } from '@wharf/model/dist/ids'; | restricted
  a relative path into another workspace's src/ | services/api/src/x.ts | import { x } from '../../../packages/zk/src/session'; | restricted
  a package's public API | services/api/src/x.ts | import { x } from '@wharf/zk'; | clean
  a workspace's own test reaching its src/ | services/api/test/helpers/x.ts | import { x } from '../../src'; | clean
  a relative import inside a service | services/api/src/x.ts | import { x } from './http/y'; | clean
`);

// no-cycle follows real files: each case edits a real module's text so that it would close a loop.
const CYCLE_CASES: Case[] = [
  // packages/zk imports @wharf/model: model importing @wharf/zk would close a loop between workspaces.
  [
    'a cycle through a workspace import (model → zk → model)',
    'packages/model/src/index.ts',
    "import { SYSTEM_CLOCK } from '@wharf/zk';\nexport const clock = SYSTEM_CLOCK;\n",
    CYCLE,
  ],
  // zk's index re-exports ./clock: clock importing the index closes a loop of .ts files.
  [
    'a cycle through relative .ts imports (clock → index → clock)',
    'packages/zk/src/clock.ts',
    "import { NOOP_LOGGER } from './index';\nexport const logger = NOOP_LOGGER;\n",
    CYCLE,
  ],
  [
    'the same workspace import where there is no loop',
    'services/api/src/x.ts',
    "import { SYSTEM_CLOCK } from '@wharf/zk';\nexport const clock = SYSTEM_CLOCK;\n",
    CLEAN,
  ],
];

const ALL = [...LIBRARY_CASES, ...WORKSPACE_CASES, ...CYCLE_CASES];
let results: Map<Case, string[]>;

beforeAll(() => {
  const found = lintAll(ALL.map(([, path, code]) => ({ path, code })));
  results = new Map(ALL.map((c, i) => [c, found[i]!]));
});

describe.each([
  ['library owners (only the owning workspace imports a library)', LIBRARY_CASES],
  ['workspaces (no service imports a service, no deep imports)', WORKSPACE_CASES],
  ['import-x/no-cycle resolves TypeScript sources and workspace packages', CYCLE_CASES],
])('%s', (_title, cases) => {
  it.each(cases.map((c) => [c[0], c] as const))('%s', (_what, c) => {
    expect(results.get(c)).toEqual(c[3]);
  });
});
