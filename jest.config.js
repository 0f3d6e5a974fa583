// One config, three projects: unit tests sit beside the code and do no I/O; integration tests
// live in each workspace's test/ and talk to a real ZooKeeper / etcd / Docker; end-to-end tests
// in test/ start the real services the way a user does.
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
  ],
};
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.wharf/', '<rootDir>/.*/.build-test/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      // test/lint: the lint boundaries, checked through ESLint's API at unit speed; the console's
      // browser code (plain functions, no DOM) beside its sources.
      testMatch: [
        '<rootDir>/packages/*/src/**/*.test.ts',
        '<rootDir>/services/*/src/**/*.test.ts',
        '<rootDir>/test/lint/**/*.test.ts',
        '<rootDir>/packages/console/app/src/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/services/*/test/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/lint/'],
    },
  ],
};
