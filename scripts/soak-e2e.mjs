#!/usr/bin/env node
// Soak: runs the whole e2e suite N times in a row, stopping at the first red run, optionally under a
// CPU load made of busy-looping processes (like `stress --cpu K`). Used to show the suite does not
// flake: `node scripts/soak-e2e.mjs --runs 10 --load 1` after `npm run build && npm run compile &&
// npm run package && npm run install:vscode`. Each run's output goes to test-results/soak/run-N.log;
// one line per run is printed. Exit code: 0 when every run passed, 1 otherwise.
import { spawn, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    load: { type: 'string', default: '0' },
    'keep-going': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const load = Number(values.load);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(load) || load < 0) {
  console.error('soak-e2e: --runs N (N >= 1) and --load K (K >= 0 busy processes) expected');
  process.exit(2);
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runner = path.join(root, 'out/test/e2e/run.js');
if (!fs.existsSync(runner)) {
  console.error(`soak-e2e: ${path.relative(root, runner)} is missing: run npm run compile && npm run package first`);
  process.exit(2);
}
const logDir = path.join(root, 'test-results', 'soak');
fs.mkdirSync(logDir, { recursive: true });

// The load: K processes that spin until killed (each takes one core while the scheduler lets it).
const spinners = [];
for (let i = 0; i < load; i++) {
  spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}
const stopLoad = () => { for (const s of spinners) s.kill('SIGKILL'); };
process.on('exit', stopLoad);
process.on('SIGINT', () => { stopLoad(); process.exit(130); });

function runOnce(n) {
  return new Promise((resolve) => {
    const log = fs.createWriteStream(path.join(logDir, `run-${n}.log`));
    const started = Date.now();
    const child = fork(runner, [], { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let tail = '';
    const keep = (chunk) => { log.write(chunk); tail = (tail + chunk.toString()).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (code) => {
      log.end();
      const passing = /(\d+) passing/.exec(tail)?.[1] ?? '?';
      const failing = /(\d+) failing/.exec(tail)?.[1] ?? '0';
      resolve({ code: code ?? 1, seconds: Math.round((Date.now() - started) / 1000), passing, failing });
    });
  });
}

const startedAll = Date.now();
let green = 0;
for (let n = 1; n <= runs; n++) {
  const r = await runOnce(n);
  const load1 = (await import('node:os')).loadavg()[0].toFixed(1);
  console.log(`run ${n}/${runs}: ${r.code === 0 ? 'green' : 'RED'} (${r.passing} passing, ${r.failing} failing) in ${r.seconds} s, load average ${load1} (log test-results/soak/run-${n}.log)`);
  if (r.code === 0) green++;
  else if (!values['keep-going']) break;
}
stopLoad();
const minutes = ((Date.now() - startedAll) / 60000).toFixed(1);
console.log(`soak: ${green} of ${runs} runs green${values["keep-going"] ? "" : " in a row"} under ${load} busy process(es), ${minutes} min`);
process.exit(green === runs ? 0 : 1);
