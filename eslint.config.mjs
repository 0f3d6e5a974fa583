// ESLint flat config: typescript-eslint with type information for the promise rules,
// import-x for cycles, and the boundaries of the house (docs/architecture.md, "Rules the lint
// enforces"). Prettier owns formatting. test/lint/boundaries.test.ts proves each boundary fires.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const ROOT = import.meta.dirname;

/**
 * Each third-party library that talks to the outside world (or owns a concern) has exactly one
 * workspace allowed to import it; everyone else goes through that workspace's public API.
 */
const LIBRARY_OWNERS = {
  'node-zookeeper-client': 'packages/zk',
  dockerode: 'packages/runtime',
  'docker-modem': 'packages/runtime',
  'node-forge': 'packages/pki',
  winston: 'packages/observability',
  'prom-client': 'packages/observability',
  ajv: 'packages/model',
  'ajv-formats': 'packages/model',
  '@sinclair/typebox': 'packages/model',
  express: 'services/api',
  commander: 'packages/cli',
};

/** The workspaces, as `packages/<name>` / `services/<name>` (read from disk: a new one is covered). */
const WORKSPACES = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${group}/${entry.name}`),
);
const SERVICES = WORKSPACES.filter((ws) => ws.startsWith('services/')).map((ws) =>
  ws.slice('services/'.length),
);

/** `@wharf/<name>` → its `src/index.ts`, so import-x follows workspace imports into source. */
const WORKSPACE_ALIASES = Object.fromEntries(
  WORKSPACES.map((ws) => [`@wharf/${ws.split('/')[1]}`, [join(ROOT, ws, 'src/index.ts')]]),
);

/** `no-restricted-imports` for files of `workspace` (undefined: root test/, bench/, scripts/). */
function boundaryRule(workspace) {
  const service = workspace?.startsWith('services/') ? workspace.slice('services/'.length) : undefined;
  const libraries = Object.entries(LIBRARY_OWNERS).filter(([, owner]) => owner !== workspace);
  const otherServices = SERVICES.filter((name) => name !== service);
  return [
    'error',
    {
      paths: libraries.map(([name, owner]) => ({
        name,
        message: `only ${owner} imports ${name}; use ${owner}'s public API.`,
      })),
      patterns: [
        ...libraries.map(([name, owner]) => ({
          group: [`${name}/*`],
          message: `only ${owner} imports ${name}; use ${owner}'s public API.`,
        })),
        {
          group: otherServices.flatMap((name) => [`@wharf/${name}`, `@wharf/${name}/*`]),
          message: workspace?.startsWith('packages/')
            ? 'a library never imports a service.'
            : 'a service never imports another service; they coordinate through ZooKeeper.',
        },
        {
          regex: '^@wharf/[^/]+/',
          message: "import a workspace through its public API ('@wharf/<name>'), not a path inside it.",
        },
        {
          regex: '(^|/)(packages|services)/[^/]+/(src|dist)(/|$)',
          message: "no imports of another workspace's src/ or dist/; import '@wharf/<name>'.",
        },
      ],
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.build-test/**',
      '**/node_modules/**',
      '.nx/**',
      '.wharf/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      'packages/console/app/src/generated/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: ROOT },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Without these import-x resolves nothing in a .ts file and no-cycle passes silently.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.json'], alias: WORKSPACE_ALIASES }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-restricted-imports': boundaryRule(undefined),
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use explicit named re-exports (STYLE.md rule 2).' },
      ],
    },
  },
  ...WORKSPACES.map((workspace) => ({
    files: [`${workspace}/**/*.ts`],
    rules: { 'no-restricted-imports': boundaryRule(workspace) },
  })),
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
