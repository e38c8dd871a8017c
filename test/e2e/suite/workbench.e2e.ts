/**
 * The workbench loads on sample/ and the packaged extension is installed and activates.
 * Reads the manifest from the installed extension (what the VSIX really ships), so the checks
 * follow package.json's activationEvents and commands as they change.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  activationFailedPattern,
  activationLogPattern,
  ExtensionManifest,
  installedManifest,
  listExtensions,
  readExtHostLogs,
  REPO_ROOT,
  session,
  Workbench,
} from '../harness';

const repoPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string };
const EXTENSION_ID = process.env.KPR_E2E_EXTENSION ?? `${repoPkg.publisher}.${repoPkg.name}`;
const CATEGORY = 'Kernel Patch Reasoner';

/** Palette titles ("Category: Title") of the commands the manifest shows in the palette. */
function paletteTitles(m: ExtensionManifest): string[] {
  const hidden = new Set((m.contributes?.menus?.commandPalette ?? []).filter((e) => e.when === 'false').map((e) => e.command));
  return (m.contributes?.commands ?? [])
    .filter((c) => c.category === CATEGORY && !hidden.has(c.command))
    .map((c) => `${c.category}: ${c.title}`);
}

/** Files under `dir` (relative, sorted, no dot folders) whose extension is one of `exts`. */
function filesWithExtensions(dir: string, exts: string[], rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesWithExtensions(dir, exts, r));
    else if (exts.includes(path.extname(e.name))) out.push(r);
  }
  return out;
}

describe('workbench', function () {
  let wb: Workbench;
  let manifest: ExtensionManifest;

  before(async function () {
    wb = await session().openWorkbench();
  });

  after(async function () {
    if (wb) await session().closeWorkbench(wb);
  });

  it('loads on the sample folder', async function () {
    const folderName = path.basename(session().server.folder);
    // The window title and the Explorer's section header name the open folder.
    assert.match(await wb.page.title(), new RegExp(`^${folderName} - code-server$`));
    await wb.page.locator(`.pane-header[aria-label="Explorer Section: ${folderName}"]`).waitFor({ state: 'visible', timeout: 5_000 });
    assert.ok((await wb.page.locator('.explorer-folders-view .monaco-list-row').count()) > 0, 'Explorer shows no files');
  });

  it(`has the extension installed`, async function () {
    const installed = await listExtensions(session().profile);
    const m = installedManifest(session().profile, EXTENSION_ID);
    assert.ok(m, `${EXTENSION_ID} is not in the extensions folder; installed: ${installed.join(', ') || 'none'}`);
    manifest = m;
    assert.ok(installed.includes(`${EXTENSION_ID}@${m.version}`), `code-server --list-extensions: ${installed.join(', ')}`);
  });

  it(`lists its "${CATEGORY}:" commands in the command palette`, async function () {
    assert.ok(manifest, 'extension not installed');
    const expected = paletteTitles(manifest);
    assert.ok(expected.length > 0, `the manifest contributes no commands with category "${CATEGORY}"`);
    const shown = await wb.paletteCommands(`${CATEGORY}:`);
    for (const title of expected) assert.ok(shown.some((s) => s.startsWith(title)), `palette lacks "${title}"; it shows: ${shown.join(' | ')}`);
  });

  it('activates without error', async function () {
    assert.ok(manifest, 'extension not installed');
    const events = manifest.activationEvents ?? [];
    const atStartup = events.some((e) => e === '*' || e === 'onStartupFinished' || e.startsWith('workspaceContains:'));
    const languages = events.filter((e) => e.startsWith('onLanguage:')).map((e) => e.slice('onLanguage:'.length));
    const exts = languages.flatMap((l) => [
      ...(l === 'c' ? ['.c', '.h'] : []),
      ...(manifest.contributes?.languages ?? []).filter((x) => x.id === l).flatMap((x) => x.extensions ?? []),
    ]);
    const file = filesWithExtensions(session().server.folder, exts)[0];
    if (atStartup) console.log(`      trigger: startup (${events.join(', ')})`);
    // The status-bar item shows for a C editor, so one is opened whatever activated the extension.
    if (file) {
      console.log(`      trigger: opening ${file}`);
      await wb.openFile(file);
    } else if (!atStartup) {
      const cmd = paletteTitles(manifest)[0];
      assert.ok(cmd, `no way to activate: activationEvents ${JSON.stringify(events)}, no matching file in the folder, no palette command`);
      console.log(`      trigger: command "${cmd}" (no ${exts.join('/') || 'language'} file in the folder)`);
      await wb.runCommand(cmd);
    }
    const line = await wb.waitForExtHostLog(activationLogPattern(EXTENSION_ID), 60_000);
    console.log(`      ${line.trim()}`);
    // The host logs nothing when activate() returns, only when it throws; the extension's
    // status-bar item (created in activate) is the positive signal that it ran to the end.
    const item = wb.page.locator(`.part.statusbar .statusbar-item[id^="${EXTENSION_ID}."]`).first();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const logs = readExtHostLogs(session().profile);
      if (activationFailedPattern(EXTENSION_ID).test(logs)) {
        assert.fail(`activation failed:\n${logs.split('\n').filter((l) => /\[error\]|failed/i.test(l)).join('\n')}`);
      }
      if (await item.isVisible()) break;
      if (Date.now() > deadline) assert.fail(`${EXTENSION_ID} activated but shows no status-bar item (id "${EXTENSION_ID}.*") within 30 s`);
      await wb.page.waitForTimeout(250);
    }
    console.log(`      status bar: ${JSON.stringify((await wb.statusBarItems()).find((i) => i.id.startsWith(`${EXTENSION_ID}.`)))}`);
    await wb.screenshot('workbench-activated');
  });
});
