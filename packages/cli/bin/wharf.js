#!/usr/bin/env node
// The `wharf` bin, committed so that npm links it on the very first `npm install` (a bin that
// points into dist/ does not exist yet then, and npm silently skips it): it runs the built CLI.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(built)) {
  process.stderr.write('wharf is not built yet: run `npm start` or `npm run build` first.\n');
  process.exit(1);
}
require(built);
