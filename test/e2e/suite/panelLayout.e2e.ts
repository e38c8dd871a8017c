/**
 * The simulation panel's layout in a 1,400 × 900 px window, as a kernel developer first sees it:
 * it opens beside the code at a usable width (75% of the editor area), the selected scenario's
 * detail stands next to the matrices (not below them) and nothing scrolls sideways; the trace is
 * compact. Screenshots: test-results/panel-layout-*.png.
 */
import * as assert from 'node:assert/strict';
import { session, type Workbench } from '../harness';

const FOREIGN_CELL = 'ext4_da_aops/reclaim-in-write-begin/delayed-dirty';

describe('simulation panel layout at 1,400 px', function () {
  let wb: Workbench;

  before(async function () {
    wb = await session().openWorkbench();
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
  });

  it('opens beside the code at 75% of the editor area; the detail is next to the matrix; no sideways scroll', async function () {
    assert.equal(wb.page.viewportSize()?.width, 1400);
    await wb.openFile('inode.c');
    await wb.runCommand('Kernel Patch Reasoner: Show Simulation Panel');
    const panel = wb.webview(0);
    await panel.locator('table[role=grid]').first().waitFor({ state: 'visible', timeout: 60_000 });
    // The editor groups: the code on the left, the panel on the right, sized 25/75.
    const groups = await wb.page.locator('.editor-group-container').evaluateAll((gs) => gs.map((g) => Math.round(g.getBoundingClientRect().width)));
    console.log(`      editor groups: ${groups.join(' + ')} px`);
    assert.equal(groups.length, 2, `editor groups: ${groups.join(', ')}`);
    assert.ok(groups[1] >= 0.7 * (groups[0] + groups[1]), `the panel has ${groups[1]} of ${groups[0] + groups[1]} px`);

    await panel.locator(`td[data-cell="${FOREIGN_CELL}"]`).click();
    await panel.locator('#detail-title').waitFor({ state: 'visible' });
    const box = await panel.locator('body').evaluate(() => {
      const over = Array.from(document.querySelectorAll('#matrix table')).map((t) => t.getBoundingClientRect().right);
      const r = (sel: string) => document.querySelector(sel)?.getBoundingClientRect();
      const grids = Array.from(document.querySelectorAll('.grid-scroll, .grid')).map((g) => ({ scroll: g.scrollWidth, client: g.clientWidth }));
      return {
        doc: { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth },
        grids,
        matrix: r('#matrix'),
        detail: r('#detail'),
        steps: r('#step-list'),
        height: window.innerHeight,
        detailPosition: getComputedStyle(document.querySelector('#detail')!).position,
        detailOverflow: Array.from(document.querySelectorAll('#detail *')).filter((e) => e.getBoundingClientRect().right > (document.querySelector('#detail')!.getBoundingClientRect().right + 1)).length,
        tableRight: Math.max(...over),
      };
    });
    console.log(`      panel ${box.doc.client} px: matrix ${Math.round(box.matrix!.width)} px, detail at x=${Math.round(box.detail!.left)} (${Math.round(box.detail!.width)} px)`);
    assert.ok(box.doc.scroll <= box.doc.client, `the panel scrolls sideways: ${box.doc.scroll} > ${box.doc.client}`);
    for (const g of box.grids) assert.ok(g.scroll <= g.client + 1, `a matrix scrolls sideways: ${g.scroll} > ${g.client}`);
    // Next to, not below: the detail starts right of the matrix, at the top of the window.
    assert.ok(box.detail!.left >= box.matrix!.right - 1, `detail at x=${box.detail!.left}, matrix ends at x=${box.matrix!.right}`);
    assert.ok(box.tableRight <= box.detail!.left, `a table reaches x=${box.tableRight}, under the detail at x=${box.detail!.left}`);
    assert.ok(box.detail!.top < box.height / 2, `detail starts at y=${box.detail!.top}`);
    assert.ok(box.detail!.width >= 220, `detail is ${box.detail!.width} px wide`);
    // It stays in view while the matrices scroll, and scrolls on its own (findings, paths, trace).
    assert.equal(box.detailPosition, 'sticky');
    assert.ok(box.steps, 'no trace in the detail');
    assert.equal(box.detailOverflow, 0, 'parts of the detail are cut off on the right');
    // The compact trace: fewer rows than steps, and a way to see them all.
    assert.match(await panel.locator('#step-counter').innerText(), /\(\d+ of \d+ folded\)/);
    await panel.locator('vscode-button#step-compact').waitFor({ state: 'visible' });
    await wb.screenshot('panel-layout-1400');
    await wb.runCommand('View: Close All Editors');
  });
});
