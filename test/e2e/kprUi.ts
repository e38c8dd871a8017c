/**
 * What the navigation and configuration suites share: the extension's log (the last "problems
 * for FILE" publication) and picking an entry of the code action widget.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { session, type Workbench } from './harness';

const LOG_NAME = 'Kernel Patch Reasoner.log';

function filesNamed(dir: string, name: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesNamed(p, name) : e.name === name ? [p] : [];
  });
}

/** The extension's log channel of the most recently active window. */
export function kprLog(): string {
  const files = filesNamed(path.join(session().profile.userDataDir, 'logs'), LOG_NAME);
  files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files.length ? fs.readFileSync(files[0], 'utf8') : '';
}

/** The last published `code@line:col` list for `file` once `pred` holds for it (bounded wait). */
export async function problemsWhen(file: string, pred: (codes: string[]) => boolean, what: string, timeoutMs = 60_000): Promise<string[]> {
  const re = new RegExp(`problems for ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+(?: \\((.*)\\))?$`);
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  for (;;) {
    const lines = kprLog().split('\n').filter((l) => re.test(l));
    const m = lines.length ? re.exec(lines[lines.length - 1]) : null;
    last = m?.[1] ? m[1].split(', ') : [];
    if (m && pred(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: the last problems published for ${file} are ${last.join(', ') || '(none)'}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Picks an entry of the open code action widget with the keyboard, as a user does. */
export async function chooseAction(wb: Workbench, label: string | RegExp): Promise<void> {
  for (let i = 0; i < 12; i++) {
    const focused = ((await wb.page.locator('.action-widget .monaco-list-row.focused').first().innerText().catch(() => '')) ?? '').trim();
    if (typeof label === 'string' ? focused === label : label.test(focused)) {
      await wb.page.keyboard.press('Enter');
      await wb.page.locator('.action-widget').first().waitFor({ state: 'hidden', timeout: 10_000 });
      return;
    }
    await wb.page.keyboard.press('ArrowDown');
    await wb.page.waitForTimeout(100);
  }
  assert.fail(`the code action widget has no entry ${label}`);
}

/** goToLine, once more after Escape when the quick input did not take the first Enter (seen under load). */
export async function goTo(wb: Workbench, line: number, column?: number): Promise<void> {
  try {
    await wb.goToLine(line, column);
  } catch {
    await wb.page.keyboard.press('Escape');
    await wb.goToLine(line, column);
  }
}

/** Problems rows the panel shows with `filter` typed in its filter box, once `pred` holds (the list is virtual: filter first). */
export async function filteredProblemRows(wb: Workbench, filter: string, pred: (rows: Awaited<ReturnType<Workbench['problems']>>) => boolean, what: string, timeoutMs = 30_000): Promise<Awaited<ReturnType<Workbench['problems']>>> {
  const input = await wb.problemsFilterInput();
  await input.fill(filter);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      await wb.page.waitForTimeout(300);
      const rows = await wb.problems();
      if (pred(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`${what}: Problems filtered by "${filter}" shows ${JSON.stringify(rows)}`);
    }
  } finally {
    await (await wb.problemsFilterInput()).fill('');
  }
}
