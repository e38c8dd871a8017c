/**
 * File content that looks like HTML or script (sample/hostile.c: printk strings with <img onerror>
 * and <script>, a comment with tags, a statement that is markup) is shown as text in the real
 * VS Code: in the simulation panel's trace and in Problems; nothing of it becomes markup.
 */
import * as assert from 'node:assert/strict';
import { session, type Workbench } from '../harness';

const FILE = 'hostile.c';

describe('hostile file content', function () {
  let wb: Workbench;

  before(async function () {
    wb = await session().openWorkbench();
    await wb.openFile(FILE);
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
  });

  it('the simulation panel shows the HTML-looking strings of the trace as text, never as markup', async function () {
    await wb.runCommand('Kernel Patch Reasoner: Show Simulation Panel');
    const panel = wb.webview(0);
    const cell = panel.locator('td[data-cell="hostile_aops/kswapd/no-buffers-allocated"]');
    await cell.waitFor({ state: 'visible', timeout: 90_000 });
    await cell.click();
    // The printk of the no-buffers branch carries `<img src=x onerror=...>`: it must read as text.
    const step = panel.locator('#step-list li', { hasText: '<img sr' });
    await step.first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await panel.locator('img').count(), 0, 'no <img> element was created from file content');
    assert.equal(await panel.locator('b').count(), 0, 'no <b> element was created from file content');
    assert.doesNotMatch(await wb.page.title(), /pwned/);
    await wb.screenshot('hostile-panel');
  });

  it('Problems shows the syntax error around the markup-like statement as text', async function () {
    const rows = await wb.problems({ atLeast: 2, timeoutMs: 60_000 });
    const mine = rows.filter((r) => /input:syntax/.test(r.code ?? '') || /syntax error/.test(r.message ?? ''));
    assert.ok(mine.length > 0, `no syntax problem listed: ${JSON.stringify(rows.slice(0, 5))}`);
    assert.ok(rows.some((r) => r.code === 'dirty-data-dropped'), 'the data loss of the no-buffers branch is listed');
  });
});
