/**
 * End-to-end runner (npm run test:e2e): installs dist/kernel-patch-reasoner.vsix into a fresh
 * code-server profile, starts code-server on sample/ and one headless Chromium, runs
 * out/test/e2e/suite/*.e2e.js with mocha, tears everything down, exits 1 on any failure.
 * The workspace is a temp copy of sample/ (the demo) plus test/fixtures/workspace/ (files only
 * the tests need: hostile.c, broken.patch).
 *
 *   node out/test/e2e/run.js [suite files...]
 *
 * Environment (all optional):
 *   KPR_E2E_GREP=text    only tests whose full title contains text
 *   KPR_E2E_KEEP=1       keep the temp profile (logs) even when everything passed
 *   KPR_E2E_VSIX=path    install this VSIX instead of dist/kernel-patch-reasoner.vsix
 *   KPR_E2E_FOLDER=path  open this folder instead of sample/
 *   KPR_E2E_EXTENSION=publisher.name   the extension the suites check (default: from package.json)
 * The last three exist to develop the harness against a throwaway extension.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Mocha from 'mocha';
import { assertCodeServerInstalled, printLogs, REPO_ROOT, Session, setSession } from './harness';

const DEFAULT_VSIX = path.join(REPO_ROOT, 'dist', 'kernel-patch-reasoner.vsix');
const SUITE_DIR = path.join(__dirname, 'suite');

function fail(msg: string): never {
  console.error(`\n[e2e] ${msg}\n`);
  process.exit(1);
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const vsix = path.resolve(process.env.KPR_E2E_VSIX ?? DEFAULT_VSIX);
  const source = path.resolve(process.env.KPR_E2E_FOLDER ?? path.join(REPO_ROOT, 'sample'));
  if (!fs.existsSync(source)) fail(`workspace folder not found: ${source}`);
  // Tests edit files (re-run on change): they get a fresh copy, never the tracked sample/.
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-e2e-ws-')), path.basename(source));
  fs.cpSync(source, folder, { recursive: true });
  const extras = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
  if (!process.env.KPR_E2E_FOLDER && fs.existsSync(extras)) fs.cpSync(extras, folder, { recursive: true });
  if (!fs.existsSync(vsix)) fail(`VSIX not found: ${vsix}\n      build it first: npm run package   (npm run test:e2e does this)`);
  try {
    assertCodeServerInstalled();
  } catch (e) {
    fail((e as Error).message);
  }

  const args = process.argv.slice(2);
  const files = args.length
    ? args.map((f) => path.resolve(f))
    : fs.existsSync(SUITE_DIR)
      ? fs.readdirSync(SUITE_DIR).filter((f) => f.endsWith('.e2e.js')).sort().map((f) => path.join(SUITE_DIR, f))
      : [];
  if (!files.length) fail(`no e2e suites (*.e2e.js) in ${SUITE_DIR}: run npm run compile first`);

  console.log(`[e2e] VSIX ${path.relative(REPO_ROOT, vsix)}, folder ${folder} (a copy of ${path.relative(REPO_ROOT, source) || source}), ${files.length} suite file(s)`);
  let session: Session;
  try {
    session = await Session.start({ vsix: [vsix], folder });
  } catch (e) {
    console.error(`[e2e] could not start VS Code: ${(e as Error).stack ?? e}`);
    return 1;
  }
  setSession(session);
  console.log(`[e2e] started in ${Date.now() - t0} ms`);

  let failures = 1;
  try {
    const mocha = new Mocha({
      ui: 'bdd',
      reporter: 'spec',
      timeout: 120_000,
      slow: 15_000,
      grep: process.env.KPR_E2E_GREP,
      rootHooks: {
        // A failed test leaves a screenshot of every open workbench and the host's logs.
        async afterEach(this: Mocha.Context) {
          const t = this.currentTest;
          if (t?.state !== 'failed') return;
          await session.screenshotAll(`FAILED-${t.fullTitle()}`);
          printLogs(session.profile);
        },
      },
    });
    for (const f of files) mocha.addFile(f);
    await mocha.loadFilesAsync();
    failures = await new Promise<number>((resolve) => mocha.run(resolve));
  } catch (e) {
    console.error(`[e2e] runner error: ${(e as Error).stack ?? e}`);
    failures = Math.max(failures, 1);
  } finally {
    await session.dispose({ keep: failures > 0 || process.env.KPR_E2E_KEEP === '1' });
    setSession(undefined);
  }
  console.log(`[e2e] ${failures ? `${failures} failure(s)` : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
