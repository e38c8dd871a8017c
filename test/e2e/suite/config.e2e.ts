/**
 * One configuration in a real VS Code: the code action that suppresses a finding in `.kpr.json`
 * creates the file and the finding leaves Problems; the file's problems (a suppression without a
 * reason, a value the schema rejects) show on the file; a severity in the file applies, and an
 * explicit `kpr.*` setting overrides it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { session, type Workbench } from '../harness';
import { chooseAction, filteredProblemRows, goTo, problemsWhen } from '../kprUi';

function where(text: string, word: string): { line: number; column: number } {
  const lines = fs.readFileSync(path.join(session().server.folder, 'inode.c'), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, text);
  return { line: i + 1, column: lines[i].indexOf(word) + 1 };
}

describe('.kpr.json in the editor', function () {
  let wb: Workbench;
  const configFile = () => path.join(session().server.folder, '.kpr.json');
  const settingsFile = () => path.join(session().profile.userDataDir, 'User', 'settings.json');
  let originalSettings: Record<string, unknown>;

  const writeSettings = (settings: Record<string, unknown>) => wb.editUserSettings(settings);

  before(async function () {
    originalSettings = JSON.parse(fs.readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>;
    wb = await session().openWorkbench();
    await wb.openFile('inode.c');
    await problemsWhen('inode.c', (c) => c.some((x) => x.startsWith('kernel-bug@')), 'the first analysis');
  });

  after(async function () {
    fs.rmSync(configFile(), { force: true });
    if (wb) await session().closeWorkbench(wb);
    // Typing into settings.json can leave auto-closed characters behind: the next suites get the file as it was.
    fs.writeFileSync(settingsFile(), JSON.stringify(originalSettings));
  });

  it('the .kpr.json code action creates the file; the finding leaves Problems; the missing reason is flagged on the file', async function () {
    assert.ok(!fs.existsSync(configFile()), 'the sample has no .kpr.json');
    const call = where('page_bufs = page_buffers(page);', 'page_buffers');
    await problemsWhen('inode.c', (c) => c.includes(`kernel-bug@${call.line}:${call.column}`), 'kernel-bug at page_buffers()');
    await goTo(wb, call.line, call.column + 1);
    await wb.runCommand('Quick Fix...');
    await wb.page.locator('.action-widget .monaco-list-row', { hasText: 'in .kpr.json' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await chooseAction(wb, 'Suppress kernel-bug in ext4_da_writepage in .kpr.json');
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(configFile())) {
      if (Date.now() > deadline) assert.fail('.kpr.json was not created');
      await wb.page.waitForTimeout(200);
    }
    const written = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
    assert.deepEqual(written, { suppressions: [{ rule: 'kernel-bug', function: 'ext4_da_writepage', anchor: 'page_buffers#0', reason: '' }] });
    const after = await problemsWhen('inode.c', (c) => !c.includes(`kernel-bug@${call.line}:${call.column}`), 'the suppressed finding leaves inode.c');
    assert.ok(after.some((x) => x.startsWith('kernel-bug@')), `the other kernel-bug findings stay: ${after.join(', ')}`);
    await filteredProblemRows(wb, 'a suppression needs a reason', (rows) => rows.some((r) => r.file === '.kpr.json' && r.source === 'kpr' && /suppressions\[0\]\.reason: a suppression needs a reason/.test(r.message)), 'the missing reason on .kpr.json');
  });

  it('the JSON schema the extension contributes validates the file in the editor', async function () {
    fs.writeFileSync(configFile(), JSON.stringify({ budgets: { stepsPerPath: 0 }, suppressions: [{ rule: 'kernel-bug', function: 'ext4_da_writepage', anchor: 'page_buffers#0', reason: 'e2e' }] }, null, 2));
    await wb.openFile('.kpr.json');
    // The JSON language service (the contributed schema: minimum 1) and kpr's own check both flag it.
    const rows = await filteredProblemRows(
      wb,
      '**/.kpr.json',
      (r) => r.some((x) => /minimum/i.test(x.message) && x.source !== 'kpr') && r.some((x) => x.source === 'kpr' && /budgets\.stepsPerPath/.test(x.message)),
      'schema and kpr problems on .kpr.json',
    );
    console.log(`      .kpr.json problems: ${rows.map((r) => `${r.source}: ${r.message}`).join(' | ')}`);
    await wb.screenshot('config-kpr-json-schema');
    await wb.runCommand('View: Close Editor');
  });

  it('a severity in .kpr.json applies; an explicit kpr.* setting overrides it', async function () {
    fs.writeFileSync(configFile(), JSON.stringify({ diagnostics: { severity: { 'alloc-under-page-lock': 'off' } } }, null, 2));
    await wb.openFile('inode.c');
    await problemsWhen('inode.c', (c) => c.length > 0 && !c.some((x) => x.startsWith('alloc-under-page-lock@')), 'alloc-under-page-lock off in .kpr.json');
    await writeSettings({ ...originalSettings, 'kpr.diagnostics.severity': { 'alloc-under-page-lock': 'warning' } });
    await wb.openFile('inode.c');
    await problemsWhen('inode.c', (c) => c.some((x) => x.startsWith('alloc-under-page-lock@')), 'the setting overrides the file');
    await writeSettings(originalSettings);
    await problemsWhen('inode.c', (c) => c.length > 0 && !c.some((x) => x.startsWith('alloc-under-page-lock@')), 'the file applies again');
    fs.rmSync(configFile());
    await problemsWhen('inode.c', (c) => c.some((x) => x.startsWith('alloc-under-page-lock@')) && c.some((x) => x.startsWith('kernel-bug@')), 'without .kpr.json');
  });
});
