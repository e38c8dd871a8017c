#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled by `npm run build` into dist/cli.js.
const path = require('path');
const fs = require('fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('kpr: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(3);
}
require(cli).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
