/**
 * One set of counts: for the sample's inode.c, the status bar, the Problems panel (one problem per
 * finding), the simulation panel's header and `kpr scenarios` (its last line and --json's summary)
 * all say the same "N findings in M scenarios". Screenshot: test-results/counts-*.png.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, session, waitForExtHostLog, type Workbench } from '../harness';

const PHRASE = /(\d+) findings? in (\d+) scenarios?/;

describe('one set of counts', function () {
  let wb: Workbench;

  before(async function () {
    wb = await session().openWorkbench();
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
  });

  it('status bar, Problems, simulation panel and kpr say the same "N findings in M scenarios"', async function () {
    const file = path.join(session().server.folder, 'inode.c');
    // The CLI on the same file (the bundle the VSIX ships, dist/cli.js); exit 1 = error findings.
    const kpr = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'kpr.js'), 'scenarios', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    const json = JSON.parse(kpr('--json')) as { summary: { findings: number; scenarios: number } };
    const text = kpr();
    const cli = PHRASE.exec(text);
    assert.ok(cli, `kpr scenarios printed no count line:\n${text.slice(-400)}`);
    const want = `${json.summary.findings} findings in ${json.summary.scenarios} scenarios`;
    assert.equal(cli[0], want, 'the text and --json disagree');

    await wb.openFile('inode.c');
    // Problems: the published line lists one code per problem; findings are those without input:.
    const line = await waitForExtHostLog(session().profile, /problems for inode\.c: \d+ \((.*)\)$/, 60_000);
    const codes = (/\((.*)\)\s*$/.exec(line)?.[1] ?? '').split(', ').filter((c) => c && !c.startsWith('input:'));
    assert.equal(codes.length, json.summary.findings, `Problems shows ${codes.length} findings: ${codes.join(', ')}`);

    // The item says "analysing" while a run is in flight: wait (bounded) for the count.
    const deadline = Date.now() + 60_000;
    let item = await wb.waitForStatusBarItem('kpr-team.kernel-patch-reasoner.kpr.findings');
    while (!PHRASE.test(item.text) || /analysing|sync/.test(item.text)) {
      if (Date.now() > deadline) break;
      await wb.page.waitForTimeout(250);
      item = await wb.waitForStatusBarItem('kpr-team.kernel-patch-reasoner.kpr.findings');
    }
    assert.match(item.text, new RegExp(want), `status bar: ${item.text}`);

    await wb.runCommand('Kernel Patch Reasoner: Show Simulation Panel');
    const panel = wb.webview(0);
    const counts = panel.locator('#summary .counts');
    await counts.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal((await counts.innerText()).trim(), want, 'the panel header');
    console.log(`      everywhere: ${want}`);
    await wb.screenshot('counts-status-bar-and-panel');
    await wb.runCommand('View: Close All Editors');
  });
});
