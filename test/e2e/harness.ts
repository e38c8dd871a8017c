/**
 * End-to-end harness: a real VS Code (code-server 4.100.3 = VS Code 1.100, installed by
 * scripts/install-vscode.sh) driven by Playwright in Debian's Chromium.
 * How this works on machines without network: docs/testing.md.
 *
 * Lifetime: Session.start() makes a fresh profile (user-data, extensions, --config), installs
 * the VSIX, starts code-server on a free loopback port and launches one headless Chromium;
 * session.openWorkbench() opens a fresh browser context on the workspace folder; dispose()
 * kills code-server and Chromium by process group, also when a test failed or threw.
 * Every wait is bounded and names what it waited for when it times out. Typing into the quick
 * input is the one thing retried: the typed text is read back before Enter, and typed again from
 * a closed widget when it was lost (seen under CPU load).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, BrowserContext, BrowserServer, chromium, FrameLocator, Locator, Page } from 'playwright-core';

/** Repository root: this file runs as out/test/e2e/harness.js. */
export const REPO_ROOT = findRepoRoot(__dirname);
export const CODE_SERVER_DIR = path.join(REPO_ROOT, '.vscode-test', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CODE_SERVER_STAMP = path.join(CODE_SERVER_DIR, '.kpr-install-complete');
export const CHROMIUM_PATH = process.env.KPR_CHROMIUM ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/** Flags verified on these machines; the background-networking ones stop Chromium from
 * reaching for Google's hosts on a closed network. Playwright adds --headless itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** User settings for every test profile: quiet, deterministic workbench. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // The walkthrough on first start has its own test (walkthrough.e2e.ts).
  'kpr.walkthrough.openOnFirstStart': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  // One row per folder in the Explorer, so openFile() can click path segment by segment.
  'explorer.compactFolders': false,
  'problems.defaultViewMode': 'tree',
  'editor.hover.delay': 150,
  'editor.minimap.enabled': false,
  'window.commandCenter': true,
  'chat.commandCenter.enabled': false,
};

/**
 * Settings of the test profile only (not of `npm start`'s): JSON typed into settings.json must stay
 * as typed. With auto-closing on, the first characters of an inserted text were taken as keystrokes
 * under load and closed (`{"…}` became `{"…}"}`): the file was left with bytes after its object.
 */
export const TEST_ONLY_SETTINGS: Record<string, unknown> = {
  '[jsonc]': { 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never', 'editor.autoSurround': 'never', 'editor.formatOnType': false },
  '[json]': { 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never', 'editor.autoSurround': 'never', 'editor.formatOnType': false },
};

export interface Timeouts {
  /** code-server answering HTTP after spawn */
  server: number;
  /** `.monaco-workbench` visible after page.goto */
  workbench: number;
  /** one UI step: a row, a widget, a panel */
  ui: number;
  /** `code-server --install-extension` */
  install: number;
}
export const TIMEOUTS: Timeouts = { server: 60_000, workbench: 90_000, ui: 15_000, install: 120_000 };

// ---------------------------------------------------------------------------------------
// Processes: every child is started in its own process group and killed by group.

const liveGroups = new Set<number>();

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

let exitHooksInstalled = false;
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // Last line of defence: a crashed or interrupted runner must not leave servers behind.
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopProcess(child: ChildProcess | undefined, graceMs = 3_000): Promise<void> {
  if (!child?.pid) return;
  const pid = child.pid;
  if (!exited(child)) {
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([done, timer])) === 'timeout') killGroup(pid, 'SIGKILL');
  }
  // Grandchildren (extension host, file watcher, pty host) share the group; make sure they go too.
  killGroup(pid, 'SIGKILL');
  liveGroups.delete(pid);
}

// ---------------------------------------------------------------------------------------
// (a) ports, (b) profiles, (c) VSIX install

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface Profile {
  /** Parent temp folder; holds everything below plus code-server.log. */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server --config file, so ~/.config/code-server is neither read nor written. */
  configFile: string;
  /** Where code-server's stdout/stderr go. */
  serverLog: string;
}

/**
 * Fresh user-data and extensions folders and a --config file. `root` is used as is when given
 * (the persistent dev profile of `npm start`), otherwise a new temp folder. A missing settings.json
 * is written from `defaults` (DEFAULT_SETTINGS) and `settings`; `settings` also rewrites an existing one.
 */
export function createProfile(opts: { root?: string; settings?: Record<string, unknown>; defaults?: Record<string, unknown> } = {}): Profile {
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-e2e-'));
  const profile: Profile = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    configFile: path.join(root, 'code-server.yaml'),
    serverLog: path.join(root, 'code-server.log'),
  };
  fs.mkdirSync(path.join(profile.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(profile.extensionsDir, { recursive: true });
  // Flags on the command line override this file; it exists so the user's file is not used.
  fs.writeFileSync(profile.configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const settingsFile = path.join(profile.userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile) || opts.settings) {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...(opts.defaults ?? DEFAULT_SETTINGS), ...opts.settings }, null, 2));
  }
  return profile;
}

export function assertCodeServerInstalled(): void {
  if (!fs.existsSync(CODE_SERVER_STAMP) || !fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(
      `code-server is not installed in ${CODE_SERVER_DIR}.\n` + `Run: npm run install:vscode   (bash scripts/install-vscode.sh, as root)`,
    );
  }
}

function codeServerArgs(profile: Profile): string[] {
  return [
    CODE_SERVER_ENTRY,
    '--config',
    profile.configFile,
    '--user-data-dir',
    profile.userDataDir,
    '--extensions-dir',
    profile.extensionsDir,
  ];
}

/** Runs the code-server CLI (not the server) and returns its output; throws with the output on failure. */
export function codeServerCli(profile: Profile, args: string[], timeoutMs = TIMEOUTS.install): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...codeServerArgs(profile), ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err) reject(new Error(`code-server ${args.join(' ')} failed (${err.message}):\n${out}`));
        else resolve(out);
      },
    );
  });
}

/** `code-server --install-extension VSIX`; checks the CLI said it installed it. */
export async function installVsix(profile: Profile, vsix: string): Promise<string> {
  if (!fs.existsSync(vsix)) throw new Error(`VSIX not found: ${vsix}`);
  const out = await codeServerCli(profile, ['--install-extension', path.resolve(vsix), '--force']);
  if (!/successfully installed|already installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${vsix} did not report success:\n${out}`);
  }
  return out;
}

/** The parts of an extension's package.json the e2e tests read. */
export interface ExtensionManifest {
  name: string;
  publisher: string;
  version: string;
  main?: string;
  activationEvents?: string[];
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    languages?: { id: string; extensions?: string[] }[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
  };
}

/** The package.json of an installed extension (as packaged in the VSIX), or undefined. */
export function installedManifest(profile: Profile, extensionId: string): ExtensionManifest | undefined {
  const prefix = `${extensionId.toLowerCase()}-`;
  const dir = fs.readdirSync(profile.extensionsDir).find((d) => d.toLowerCase().startsWith(prefix));
  if (!dir) return undefined;
  return JSON.parse(fs.readFileSync(path.join(profile.extensionsDir, dir, 'package.json'), 'utf8'));
}

/** `publisher.name@version` lines of the installed extensions. */
export async function listExtensions(profile: Profile): Promise<string[]> {
  const out = await codeServerCli(profile, ['--list-extensions', '--show-versions'], 30_000);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[\w-]+\.[\w-]+@/.test(l));
}

// ---------------------------------------------------------------------------------------
// (d) code-server

export interface CodeServer {
  url: string;
  port: number;
  folder: string;
  profile: Profile;
  child: ChildProcess;
  stop(): Promise<void>;
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/**
 * Starts code-server on 127.0.0.1:port serving `folder` and waits (bounded) until /healthz
 * answers 200. Fails at once, with the server's log, if the process exits first.
 */
export async function startCodeServer(opts: {
  profile: Profile;
  folder: string;
  port?: number;
  timeoutMs?: number;
  /** also copy the server's output to this stream (npm start) */
  echo?: NodeJS.WritableStream;
}): Promise<CodeServer> {
  assertCodeServerInstalled();
  installExitHooks();
  const port = opts.port ?? (await freePort());
  const folder = path.resolve(opts.folder);
  const log = fs.openSync(opts.profile.serverLog, 'a');
  let logClosed = false;
  const child = spawn(
    process.execPath,
    [
      ...codeServerArgs(opts.profile),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      folder,
    ],
    { detached: true, stdio: ['ignore', opts.echo ? 'pipe' : log, opts.echo ? 'pipe' : log], cwd: folder },
  );
  if (opts.echo) {
    for (const s of [child.stdout, child.stderr]) {
      s?.on('data', (d: Buffer) => {
        fs.writeSync(log, d);
        opts.echo?.write(d);
      });
    }
  }
  if (child.pid) liveGroups.add(child.pid);
  const url = `http://127.0.0.1:${port}`;
  const server: CodeServer = {
    url,
    port,
    folder,
    profile: opts.profile,
    child,
    stop: async () => {
      await stopProcess(child);
      if (!logClosed) fs.closeSync(log);
      logClosed = true;
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? TIMEOUTS.server);
  for (;;) {
    if (exited(child)) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering; log ${opts.profile.serverLog}:\n${tail(opts.profile.serverLog)}`);
    }
    if ((await httpStatus(`${url}/healthz`)) === 200) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${opts.timeoutMs ?? TIMEOUTS.server} ms; log:\n${tail(opts.profile.serverLog)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------
// (e) Chromium

export interface ChromiumHandle {
  server: BrowserServer;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Debian Chromium through Playwright. launchServer (rather than launch) exposes the
 * browser's process, so teardown can kill its whole group; Playwright gives it a new empty
 * user-data dir and deletes it on close.
 */
export async function launchChromium(): Promise<ChromiumHandle> {
  installExitHooks();
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: run npm run install:vscode`);
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  const pid = server.process().pid;
  if (pid) liveGroups.add(pid);
  const browser = await chromium.connect(server.wsEndpoint(), { timeout: 30_000 });
  return {
    server,
    browser,
    close: async () => {
      await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await Promise.race([server.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await server.kill().catch(() => undefined);
      killGroup(pid, 'SIGKILL');
      if (pid) liveGroups.delete(pid);
    },
  };
}

// ---------------------------------------------------------------------------------------
// (h) logs

/** `<user-data>/logs/<time>/exthost1/`: the newest session's extension-host log folder. */
export function extHostLogDir(profile: Profile): string | undefined {
  const logs = path.join(profile.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return undefined;
  const sessions = fs.readdirSync(logs).sort().reverse();
  for (const s of sessions) {
    const dir = path.join(logs, s, 'exthost1');
    if (fs.existsSync(dir)) return dir;
  }
  return undefined;
}

/** All files under a folder, recursively, newest session only for logs. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Text of every extension-host log file (the host's own log and extensions' output channels). */
export function readExtHostLogs(profile: Profile): string {
  const dir = extHostLogDir(profile);
  if (!dir) return '';
  return filesUnder(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => `==> ${path.relative(dir, f)} <==\n${fs.readFileSync(f, 'utf8')}`)
    .join('\n');
}

/** Prints where the logs are and the last lines of each; for a failing test. */
export function printLogs(profile: Profile, lines = 30): void {
  const dir = extHostLogDir(profile);
  console.log(`  code-server log: ${profile.serverLog}`);
  // The host writes its log folder on its first flush, a few seconds after it starts.
  console.log(`  extension host logs: ${dir ?? `(not written yet; they will be under ${path.join(profile.userDataDir, 'logs', '<time>', 'exthost1')})`}`);
  if (!dir) return;
  for (const f of filesUnder(dir).filter((x) => x.endsWith('.log'))) {
    console.log(`  ==> ${f} <==`);
    console.log(tail(f, lines).replace(/^/gm, '    '));
  }
}

/** Waits (bounded) until the extension-host logs match `re`; returns the matching line. */
export async function waitForExtHostLog(profile: Profile, re: RegExp, timeoutMs = TIMEOUTS.ui): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = readExtHostLogs(profile);
    const line = text.split('\n').find((l) => re.test(l));
    if (line) return line;
    if (Date.now() > deadline) {
      throw new Error(`no extension-host log line matched ${re} within ${timeoutMs} ms (logs: ${extHostLogDir(profile) ?? 'none'})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The host logs this line at info level when it activates an extension. */
export function activationLogPattern(extensionId: string): RegExp {
  return new RegExp(`ExtensionService#_doActivateExtension ${extensionId.replace(/\./g, '\\.')}\\b`, 'i');
}

export function activationFailedPattern(extensionId: string): RegExp {
  return new RegExp(`Activating extension '?${extensionId.replace(/\./g, '\\.')}'? failed`, 'i');
}

// ---------------------------------------------------------------------------------------
// (f) the workbench, as a user sees it

export interface ProblemRow {
  /** 'error' | 'warning' | 'info' | 'hint' | '' */
  severity: string;
  message: string;
  /** the diagnostic's code as shown, '' when none */
  code: string;
  /** the diagnostic's source as shown, '' when none */
  source: string;
  /** e.g. "[Ln 5, Col 12]" */
  position: string;
  /** the file row above it */
  file: string;
  ariaLabel: string;
}

export interface LineDecorations {
  /** 1-based line number, from the gutter */
  line: number;
  /** the rendered text of the line (non-breaking spaces as spaces), injected text included */
  text: string;
  /** the cursor's line */
  current: boolean;
  /**
   * classes of decorations drawn behind the text: an extension's decoration type shows as
   * `ced-<n>-TextEditorDecorationType<k>-<m>` (k counts the types the host created), a
   * diagnostic as `squiggly-error|warning|info|hint`; cursor line, guides and selection excluded
   */
  overlay: string[];
  /** computed background colours of those overlays */
  overlayBackgrounds: string[];
  /** classes of gutter (margin/glyph) decorations; folding arrows excluded */
  margin: string[];
  /** classes of inline decorations on the text */
  inline: string[];
}

export interface StatusBarItem {
  id: string;
  text: string;
  ariaLabel: string;
}

/** A user's view of one VS Code window in a browser page. */
export class Workbench {
  constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    readonly server: CodeServer,
    readonly timeouts: Timeouts = TIMEOUTS,
  ) {}

  get profile(): Profile {
    return this.server.profile;
  }

  /** Opens http://127.0.0.1:PORT/?folder=... and waits for `.monaco-workbench`. */
  static async open(browser: Browser, server: CodeServer, timeouts: Timeouts = TIMEOUTS): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Every Playwright action and wait without its own timeout is bounded by the UI timeout.
    context.setDefaultTimeout(timeouts.ui);
    context.setDefaultNavigationTimeout(timeouts.workbench);
    const page = await context.newPage();
    const wb = new Workbench(page, context, server, timeouts);
    page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.folder)}`, { timeout: timeouts.workbench });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeouts.workbench });
    // The Explorer lists the folder once the file service answered.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeouts.workbench });
    return wb;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }

  /** Saves test-results/<name>.png (full window) and prints the path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file, timeout: this.timeouts.ui });
    console.log(`  screenshot: ${file}`);
    return file;
  }

  // -- Explorer -------------------------------------------------------------------------

  private explorerRow(label: string, level: number): Locator {
    return this.page.locator(`.explorer-folders-view .monaco-list-row[aria-level="${level}"][aria-label="${cssString(label)}"]`);
  }

  /** Opens `relPath` (relative to the workspace folder) by clicking its Explorer rows. */
  async openFile(relPath: string): Promise<void> {
    const segs = relPath.split(/[\\/]/).filter(Boolean);
    await this.showExplorer();
    for (let i = 0; i < segs.length; i++) {
      const row = this.explorerRow(segs[i], i + 1);
      await row.waitFor({ state: 'visible', timeout: this.timeouts.ui }).catch(async () => {
        const seen = await this.page.locator('.explorer-folders-view .monaco-list-row').evaluateAll((rs) => rs.map((r) => `${r.getAttribute('aria-level')}:${r.getAttribute('aria-label')}`));
        throw new Error(`Explorer has no row "${segs[i]}" at depth ${i + 1} (opening ${relPath}); rows: ${seen.join(', ')}`);
      });
      const last = i === segs.length - 1;
      if (!last) {
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
        await this.page
          .locator(`.explorer-folders-view .monaco-list-row[aria-level="${i + 1}"][aria-label="${cssString(segs[i])}"][aria-expanded="true"]`)
          .waitFor({ timeout: this.timeouts.ui });
      } else {
        await row.click();
      }
    }
    await this.waitForActiveTab(segs[segs.length - 1]);
  }

  async showExplorer(): Promise<void> {
    if (await this.page.locator('.explorer-folders-view').isVisible()) return;
    await this.page.locator('.activitybar .action-item a.codicon-explorer-view-icon').click({ timeout: this.timeouts.ui });
    await this.page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: this.timeouts.ui });
  }

  /** Waits until the active editor tab's label is `name`; the editor text is rendered then. */
  async waitForActiveTab(name: string): Promise<void> {
    await this.page
      .locator(`.editor-group-container.active .tab.active[aria-label^="${cssString(name)}"]`)
      .waitFor({ state: 'visible', timeout: this.timeouts.ui });
  }

  /** Labels of the open editor tabs in the active group. */
  async tabs(): Promise<string[]> {
    return this.page.locator('.editor-group-container.active .tab .label-name').allInnerTexts();
  }

  // -- Command palette / quick open -----------------------------------------------------

  /**
   * Clicks the command center and types `text` into the quick input; returns the input once it
   * holds exactly `text` (re-typed when the widget swallowed or rewrote it, as seen under load).
   */
  async quickInput(text: string): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    let last = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Always start from a closed widget: typing into one left open (or still closing) by an
      // earlier step filtered the wrong list (seen in CI as "it shows: View: Toggle Panel Visibility").
      if (await widget.isVisible()) {
        await this.page.keyboard.press('Escape');
        await widget.waitFor({ state: 'hidden', timeout: this.timeouts.ui });
      }
      await this.page.locator('.command-center .command-center-center').click({ timeout: this.timeouts.ui });
      await input.waitFor({ state: 'visible', timeout: this.timeouts.ui });
      await input.fill(text);
      last = await this.settledValue(input);
      if (last === text) return input;
      console.log(`  (quick input holds ${JSON.stringify(last)} instead of ${JSON.stringify(text)}: typing it again, attempt ${attempt + 1})`);
    }
    throw new Error(`the quick input does not keep the typed text ${JSON.stringify(text)} (it holds ${JSON.stringify(last)})`);
  }

  /** The input's value after two rendered frames (the widget applies its own value changes in between). */
  private async settledValue(input: Locator): Promise<string> {
    await this.page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    return input.inputValue({ timeout: this.timeouts.ui });
  }

  /** Presses Enter in the quick input only while it holds exactly `text`; false when it does not. */
  private async enterIfHolds(input: Locator, text: string): Promise<boolean> {
    if ((await this.settledValue(input)) !== text) return false;
    await input.press('Enter');
    return true;
  }

  /**
   * Labels of the rows the quick input shows now, as the user reads them ("Category: Title";
   * a row's aria-label adds ", recently used" or ", other commands"). The list is virtual: only
   * rows in view (about 20) are in the DOM, so filter by typing rather than scrolling.
   */
  async quickInputRows(): Promise<string[]> {
    return this.page.locator(QUICK_ROWS).evaluateAll((rows) =>
      rows.map((r) => ((r.querySelector('.label-name') as HTMLElement | null)?.innerText ?? '').trim()),
    );
  }

  private quickRow(title: string): Locator {
    return this.page.locator(QUICK_ROWS).filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  }

  /** Command palette entries that start with `prefix` (e.g. "Kernel Patch Reasoner:"). */
  async paletteCommands(prefix: string): Promise<string[]> {
    await this.quickInput(`>${prefix}`);
    // Rows render asynchronously after typing: wait (bounded) for a matching one; none is an answer too.
    const matching = this.page.locator(QUICK_ROWS).filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(prefix)}`, 'i') }) });
    await matching.first().waitFor({ state: 'visible', timeout: this.timeouts.ui }).catch(() => undefined);
    const rows = (await this.quickInputRows()).filter((r) => r.toLowerCase().startsWith(prefix.toLowerCase()));
    await this.page.keyboard.press('Escape');
    return rows;
  }

  /**
   * Runs a command by its exact palette title ("Category: Title"): command center, `>Title`,
   * waits for the row with exactly that label, checks the input still holds the typed text and
   * clicks that row; retried from a closed palette when the text was lost. Fails if the palette
   * has no such command.
   */
  async runCommand(title: string, opts: { keepOpen?: boolean } = {}): Promise<void> {
    const text = `>${title}`;
    // A fresh window lists an extension's commands only once its contributions are loaded: a
    // palette opened before that says "No matching commands" until it is opened again.
    const deadline = Date.now() + 2 * this.timeouts.ui;
    for (let attempt = 1; ; attempt++) {
      const input = await this.quickInput(text);
      const row = this.quickRow(title).first();
      try {
        await row.waitFor({ state: 'visible', timeout: Math.min(5_000, this.timeouts.ui) });
      } catch {
        const rows = await this.quickInputRows();
        await this.page.keyboard.press('Escape');
        if (Date.now() < deadline) continue;
        throw new Error(`command palette has no command "${title}"; it shows: ${rows.slice(0, 10).join(' | ') || '(nothing)'}`);
      }
      // The exact row is clicked, never Enter: Enter takes the active row, which may be another
      // command that matches ("File: Save" → "File: Compare Active File with Saved").
      if ((await this.settledValue(input)) !== text) {
        if (attempt < 3) continue;
        throw new Error(`the command palette lost the typed text ${JSON.stringify(text)} three times`);
      }
      await row.click();
      // A command that asks at once (a quick pick) keeps the widget open.
      if (!opts.keepOpen) await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: this.timeouts.ui });
      return;
    }
  }

  /** Types `text` after the quick input opened by a command (showInputBox / showQuickPick) and accepts. */
  async answerQuickInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: this.timeouts.ui });
    for (let attempt = 1; ; attempt++) {
      await input.fill(text);
      if (await this.enterIfHolds(input, text)) return;
      if (attempt >= 3) throw new Error(`the quick input does not keep the typed text ${JSON.stringify(text)}`);
    }
  }

  /**
   * Replaces the user settings the way a user does (settings.json in the editor, saved), so the
   * open window sees the change, and checks the file on disk holds exactly `settings`: typed text
   * that the editor changed (see TEST_ONLY_SETTINGS) is typed again, at most three times.
   */
  async editUserSettings(settings: Record<string, unknown>): Promise<void> {
    const file = path.join(this.profile.userDataDir, 'User', 'settings.json');
    const want = JSON.stringify(settings);
    await this.runCommand('Preferences: Open User Settings (JSON)');
    await this.waitForActiveTab('settings.json');
    for (let attempt = 1; ; attempt++) {
      await this.runCommand('Select All');
      // One line: typed JSON is auto-indented by the editor, a single line is not.
      await this.page.keyboard.insertText(want);
      await this.runCommand('File: Save');
      const deadline = Date.now() + this.timeouts.ui;
      let text = '';
      while (Date.now() < deadline) {
        text = fs.readFileSync(file, 'utf8');
        if (text === want) break;
        await this.page.waitForTimeout(100);
      }
      if (text === want) break;
      if (attempt >= 3) throw new Error(`settings.json does not hold what was typed: ${JSON.stringify(text.slice(-120))}`);
      console.log(`      (settings.json saved as ${text.length} bytes, not the ${want.length} typed: typing it again)`);
    }
    await this.runCommand('View: Close Editor');
  }

  /** Moves the cursor to a line through quick open `:N` (scrolls it into view); retried when the typed text was lost. */
  async goToLine(line: number, column?: number): Promise<void> {
    const text = `:${line}${column ? `:${column}` : ''}`;
    const active = this.page.locator(`${ACTIVE_EDITOR} .margin-view-overlays .active-line-number`, { hasText: new RegExp(`^${line}$`) });
    for (let attempt = 1; ; attempt++) {
      const input = await this.quickInput(text);
      if (!(await this.enterIfHolds(input, text))) {
        if (attempt < 3) continue;
        throw new Error(`quick open lost the typed text ${JSON.stringify(text)} three times`);
      }
      await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: this.timeouts.ui });
      try {
        await active.waitFor({ state: 'visible', timeout: this.timeouts.ui });
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  }

  // -- Notifications & status bar -------------------------------------------------------

  /** Texts of the notification toasts showing now. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** Waits (bounded) for a toast whose text matches. */
  /** Waits for a notification toast; `timeoutMs` for one that follows an analysis (slower under load). */
  async waitForNotification(match: string | RegExp, timeoutMs = this.timeouts.ui): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-list-item-message', { hasText: match }).first();
    try {
      await toast.waitFor({ state: 'visible', timeout: timeoutMs });
      return await toast.innerText();
    } catch (e) {
      // A toast can hide before it is seen (another toast, or its own timeout on a busy machine):
      // the notification center keeps every notification of the window.
      await this.page.keyboard.press('Escape');
      await this.runCommand('Notifications: Show Notifications');
      const kept = this.page.locator('.notifications-center .notification-list-item-message', { hasText: match }).first();
      try {
        await kept.waitFor({ state: 'visible', timeout: this.timeouts.ui });
      } catch {
        throw e;
      }
      const text = await kept.innerText();
      console.log(`      (the toast was not seen; found in the notification center: ${text.slice(0, 80)}…)`);
      await this.runCommand('Notifications: Hide Notifications').catch(() => undefined);
      return text;
    }
  }

  /** Status-bar items; an extension's item has id `<publisher.name>.<itemId>`. */
  async statusBarItems(): Promise<StatusBarItem[]> {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
      els.map((e) => ({ id: e.id, text: (e as HTMLElement).innerText.trim(), ariaLabel: e.querySelector('[aria-label]')?.getAttribute('aria-label') ?? e.getAttribute('aria-label') ?? '' })),
    );
  }

  /** Waits (bounded) for a status-bar item whose id starts with `idPrefix`; returns it. */
  async waitForStatusBarItem(idPrefix: string): Promise<StatusBarItem> {
    await this.page.locator(`.part.statusbar .statusbar-item[id^="${cssString(idPrefix)}"]`).first().waitFor({ state: 'visible', timeout: this.timeouts.ui });
    const items = await this.statusBarItems();
    const item = items.find((i) => i.id.startsWith(idPrefix));
    if (!item) throw new Error(`status-bar item ${idPrefix} vanished`);
    return item;
  }

  // -- Problems panel -------------------------------------------------------------------

  /** Opens the Problems panel (status-bar problems item) unless it is showing. */
  async openProblems(): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    if (await panel.isVisible()) return;
    await this.page.locator('#status\\.problems').click({ timeout: this.timeouts.ui });
    await panel.waitFor({ state: 'visible', timeout: this.timeouts.ui });
  }

  /**
   * The Problems view's own filter box, with the view open. The Output view has a filter box too,
   * in the same panel: only the visible one is the one the active view shows, so the Problems view
   * must be the one showing (and the Output view not) when the box is taken.
   */
  async problemsFilterInput(): Promise<Locator> {
    const output = this.page.locator('.part.panel .output-view-container').filter({ visible: true });
    for (let attempt = 1; ; attempt++) {
      await this.openProblems();
      const input = this.page.locator('.part.panel .viewpane-filter input:visible, .part.panel .markers-panel-action-filter input:visible').first();
      await input.waitFor({ state: 'visible', timeout: this.timeouts.ui });
      if ((await this.page.locator('.part.panel .markers-panel').isVisible()) && (await output.count()) === 0) return input;
      if (attempt >= 3) throw new Error('the Problems view is not the one showing in the panel: its filter box cannot be told from the Output view\'s');
      await this.page.locator('#status\\.problems').click({ timeout: this.timeouts.ui });
    }
  }

  /**
   * The Problems panel's marker rows as rendered (the list is virtual: only rows in view are
   * in the DOM; a test with many problems should filter first). With `atLeast`, waits (bounded)
   * until that many marker rows show.
   */
  async problems(opts: { atLeast?: number; timeoutMs?: number } = {}): Promise<ProblemRow[]> {
    await this.openProblems();
    const want = opts.atLeast ?? 0;
    const deadline = Date.now() + (opts.timeoutMs ?? this.timeouts.ui);
    for (;;) {
      const rows = await this.readProblemRows();
      if (rows.length >= want) return rows;
      if (Date.now() > deadline) throw new Error(`Problems panel shows ${rows.length} problems, expected at least ${want}: ${JSON.stringify(rows)}`);
      await this.page.waitForTimeout(200);
    }
  }

  private async readProblemRows(): Promise<ProblemRow[]> {
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => {
      const out: ProblemRow[] = [];
      let file = '';
      const text = (el: Element | null) => ((el as HTMLElement | null)?.innerText ?? '').trim();
      for (const r of els) {
        if (r.querySelector('.marker-message-details-container, .marker-message-details')) {
          const icon = r.querySelector('.marker-icon');
          const cls = icon ? Array.from(icon.classList).join(' ') + ' ' + Array.from(icon.querySelectorAll('*')).map((x) => x.className).join(' ') : '';
          const severity = /error/.test(cls) ? 'error' : /warning/.test(cls) ? 'warning' : /info/.test(cls) ? 'info' : /hint/.test(cls) ? 'hint' : '';
          const codeEl = r.querySelector('.marker-code');
          const srcEl = r.querySelector('.marker-source');
          out.push({
            severity,
            message: text(r.querySelector('.marker-message')),
            code: text(codeEl).replace(/^\(|\)$/g, ''),
            source: text(srcEl),
            position: text(r.querySelector('.marker-line')),
            file,
            ariaLabel: r.getAttribute('aria-label') ?? '',
          });
        } else {
          file = text(r.querySelector('.label-name')) || (r.getAttribute('aria-label') ?? '');
        }
      }
      return out;
    });
  }

  // -- Editor: hover, decorations -------------------------------------------------------

  /** Screen centre of the first occurrence of `text` in the active editor's rendered lines. */
  async textPosition(text: string, occurrence = 1): Promise<{ x: number; y: number; line: number }> {
    const pos = await this.page.evaluate(
      ({ text, occurrence, sel }) => {
        const editor = document.querySelector(sel);
        if (!editor) return { error: 'no active editor' };
        const lines = Array.from(editor.querySelectorAll('.view-lines .view-line')) as HTMLElement[];
        lines.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
        let seen = 0;
        for (const line of lines) {
          const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
          const nodes: Text[] = [];
          let all = '';
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            nodes.push(n as Text);
            all += (n as Text).data.replace(/\u00a0/g, ' ');
          }
          let from = all.indexOf(text);
          while (from >= 0) {
            seen++;
            if (seen === occurrence) {
              const range = document.createRange();
              const locate = (offset: number, end: boolean) => {
                let acc = 0;
                for (const n of nodes) {
                  if (offset < acc + n.data.length || (end && offset === acc + n.data.length)) return { node: n, off: offset - acc };
                  acc += n.data.length;
                }
                const last = nodes[nodes.length - 1];
                return { node: last, off: last.data.length };
              };
              const s = locate(from, false);
              const e = locate(from + text.length, true);
              range.setStart(s.node, s.off);
              range.setEnd(e.node, e.off);
              const rect = range.getBoundingClientRect();
              return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2, top: line.getBoundingClientRect().top };
            }
            from = all.indexOf(text, from + 1);
          }
        }
        return { error: `"${text}" (occurrence ${occurrence}) is not in the ${lines.length} rendered lines; use goToLine() first` };
      },
      { text, occurrence, sel: ACTIVE_EDITOR },
    );
    if ('error' in pos) throw new Error(String(pos.error));
    const line = await this.lineNumberAtTop(pos.top);
    return { x: pos.x, y: pos.y, line };
  }

  private async lineNumberAtTop(top: number): Promise<number> {
    const nums = await this.page.locator(`${ACTIVE_EDITOR} .margin-view-overlays .line-numbers`).evaluateAll((els) =>
      els.map((e) => ({ top: e.getBoundingClientRect().top, n: Number((e as HTMLElement).innerText.trim()) })),
    );
    const hit = nums.find((n) => Math.abs(n.top - top) < 2);
    return hit?.n ?? -1;
  }

  /**
   * Hovers the mouse over `text` in the active editor and returns the hover widget's text once
   * it is showing and not "Loading...". With `contains`, waits (bounded) until the hover text
   * matches it, and fails with the last text seen.
   */
  async hoverText(text: string, opts: { occurrence?: number; contains?: string | RegExp; timeoutMs?: number } = {}): Promise<string> {
    const { x, y } = await this.textPosition(text, opts.occurrence ?? 1);
    // Leave first so that moving back in is a fresh hover request.
    await this.page.mouse.move(5, 5);
    await this.page.mouse.move(x, y, { steps: 4 });
    // Workbench tooltips (status bar, tabs) are `.monaco-hover.workbench-hover`; the editor's is not.
    const hover = this.page.locator('.monaco-hover:not(.hidden):not(.workbench-hover) .monaco-hover-content').first();
    const deadline = Date.now() + (opts.timeoutMs ?? this.timeouts.ui);
    let last = '';
    for (;;) {
      if (await hover.isVisible()) {
        last = (await hover.innerText()).trim();
        const loading = /^Loading\.\.\.$/.test(last) || last === '';
        const ok = !opts.contains ? !loading : typeof opts.contains === 'string' ? last.includes(opts.contains) : opts.contains.test(last);
        if (ok) return last;
      }
      if (Date.now() > deadline) {
        throw new Error(`hover over "${text}" ${last ? `showed "${last}"` : 'did not show'}${opts.contains ? `, expected ${opts.contains}` : ''}`);
      }
      await this.page.waitForTimeout(100);
    }
  }

  /** 1-based line of the cursor in the active editor (the highlighted gutter number). */
  async currentLine(): Promise<number> {
    const el = this.page.locator(`${ACTIVE_EDITOR} .margin-view-overlays .active-line-number`).first();
    await el.waitFor({ state: 'visible', timeout: this.timeouts.ui });
    return Number((await el.innerText()).trim());
  }

  /**
   * Decorations of the active editor's rendered lines, by line number. Extension decoration
   * types render with generated class names (`ced-<n>-<m>`), so tests compare which lines carry
   * one (and its computed background), not the class name itself.
   */
  async lineDecorations(opts: { onlyDecorated?: boolean } = {}): Promise<LineDecorations[]> {
    const rows = await this.page.evaluate((sel) => {
      const editor = document.querySelector(sel);
      if (!editor) return null;
      const topOf = (e: Element) => Math.round(e.getBoundingClientRect().top);
      const byTop = new Map<number, { line: number; current: boolean; margin: string[] }>();
      for (const m of Array.from(editor.querySelectorAll('.margin-view-overlays > div'))) {
        const num = m.querySelector('.line-numbers');
        if (!num) continue;
        const margin = Array.from(m.children)
          .filter((c) => !c.classList.contains('line-numbers') && !/current-line|codicon-folding-/.test(c.className))
          .map((c) => c.className.trim())
          .filter(Boolean);
        byTop.set(topOf(m), { line: Number((num as HTMLElement).innerText.trim()), current: num.classList.contains('active-line-number'), margin });
      }
      // Glyph-margin decorations live in their own layer since 1.84.
      const glyphs = Array.from(editor.querySelectorAll('.glyph-margin-widgets > div, .glyph-margin > div'));
      for (const g of glyphs) {
        const row = byTop.get(topOf(g));
        if (row && g.className.trim()) row.margin.push(g.className.trim());
      }
      const overlays = new Map<number, { overlay: string[]; bg: string[] }>();
      for (const o of Array.from(editor.querySelectorAll('.view-overlays > div'))) {
        // Editor chrome (cursor line, indent guides, bracket match, selection) is left out;
        // what stays are decorations: `ced-*` (extension types), `squiggly-*` (diagnostics), ...
        const kids = Array.from(o.children).filter((c) => !/current-line|core-guide|bracket-match|bracket-guide|selected-text|selectionHighlight|wordHighlight/.test(c.className));
        overlays.set(topOf(o), {
          overlay: kids.map((c) => c.className.replace(/\bcdr\b/, '').trim()),
          bg: kids.map((c) => getComputedStyle(c).backgroundColor),
        });
      }
      const out = [];
      for (const l of Array.from(editor.querySelectorAll('.view-lines .view-line'))) {
        const t = topOf(l);
        const meta = byTop.get(t);
        if (!meta) continue;
        const inline = Array.from(l.querySelectorAll('span[class*="ced-"]')).map((s) => s.className.trim());
        const ov = overlays.get(t) ?? { overlay: [], bg: [] };
        out.push({
          line: meta.line,
          text: (l as HTMLElement).innerText.replace(/\u00a0/g, ' '),
          current: meta.current,
          overlay: ov.overlay,
          overlayBackgrounds: ov.bg,
          margin: meta.margin,
          inline: Array.from(new Set(inline)),
        });
      }
      return out.sort((a, b) => a.line - b.line);
    }, ACTIVE_EDITOR);
    if (!rows) throw new Error('no active editor');
    return opts.onlyDecorated ? rows.filter((r) => r.overlay.length || r.margin.length || r.inline.length) : rows;
  }

  // -- Webviews -------------------------------------------------------------------------

  /**
   * The document inside a webview: VS Code nests it as outer `iframe.webview` (its host page,
   * class `ready` once loaded) then inner `#active-frame` (the extension's HTML). The outer
   * iframes live in an overlay outside the editor tabs; a webview whose tab is in the background
   * is kept with `visibility: hidden`, so `index` counts visible webviews only.
   */
  webview(index = 0): FrameLocator {
    return this.page.locator('iframe.webview.ready').filter({ visible: true }).nth(index).contentFrame().locator('#active-frame').contentFrame();
  }

  /** Waits (bounded) for a webview's content to render `selector`, then returns its body text. */
  async webviewText(opts: { index?: number; selector?: string; timeoutMs?: number } = {}): Promise<string> {
    const frame = this.webview(opts.index ?? 0);
    const target = frame.locator(opts.selector ?? 'body');
    await target.first().waitFor({ state: 'attached', timeout: opts.timeoutMs ?? this.timeouts.ui });
    return (await frame.locator('body').innerText({ timeout: this.timeouts.ui })).trim();
  }

  // -- Extension host -------------------------------------------------------------------

  waitForExtHostLog(re: RegExp, timeoutMs = this.timeouts.ui): Promise<string> {
    return waitForExtHostLog(this.profile, re, timeoutMs);
  }
}

/** The text editor of the active editor group. */
const ACTIVE_EDITOR = '.editor-group-container.active .editor-instance .monaco-editor';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'kernel-patch-reasoner') return dir;
      } catch {
        /* keep walking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(start, '..', '..', '..');
    dir = up;
  }
}

// ---------------------------------------------------------------------------------------
// (g) one session = one code-server + one Chromium, torn down together

export interface SessionOptions {
  /** VSIX files to install before the server starts */
  vsix: string[];
  /** workspace folder to open */
  folder: string;
  port?: number;
  settings?: Record<string, unknown>;
  timeouts?: Partial<Timeouts>;
}

export class Session {
  readonly workbenches = new Set<Workbench>();
  private disposed = false;

  private constructor(
    readonly profile: Profile,
    readonly server: CodeServer,
    readonly chromium: ChromiumHandle,
    readonly timeouts: Timeouts,
  ) {}

  static async start(opts: SessionOptions): Promise<Session> {
    assertCodeServerInstalled();
    const timeouts = { ...TIMEOUTS, ...opts.timeouts };
    const profile = createProfile({ defaults: { ...DEFAULT_SETTINGS, ...TEST_ONLY_SETTINGS }, settings: opts.settings });
    console.log(`  profile: ${profile.root}`);
    for (const v of opts.vsix) {
      const t = Date.now();
      await installVsix(profile, v);
      console.log(`  installed ${path.relative(REPO_ROOT, v) || v} (${Date.now() - t} ms)`);
    }
    let server: CodeServer | undefined;
    let browser: ChromiumHandle | undefined;
    try {
      const t = Date.now();
      server = await startCodeServer({ profile, folder: opts.folder, port: opts.port, timeoutMs: timeouts.server });
      console.log(`  code-server ${server.url} on ${server.folder} (${Date.now() - t} ms)`);
      browser = await launchChromium();
      return new Session(profile, server, browser, timeouts);
    } catch (e) {
      await browser?.close();
      await server?.stop();
      throw e;
    }
  }

  async openWorkbench(): Promise<Workbench> {
    const t = Date.now();
    const wb = await Workbench.open(this.chromium.browser, this.server, this.timeouts);
    this.workbenches.add(wb);
    console.log(`  workbench loaded (${Date.now() - t} ms)`);
    return wb;
  }

  async closeWorkbench(wb: Workbench): Promise<void> {
    this.workbenches.delete(wb);
    await wb.close();
  }

  /** Screenshots every open workbench (for a failed test). */
  async screenshotAll(name: string): Promise<void> {
    let i = 0;
    for (const wb of this.workbenches) {
      await wb.screenshot(this.workbenches.size > 1 ? `${name}-${i++}` : name).catch((e) => console.log(`  (screenshot failed: ${e})`));
    }
  }

  /** Kills Chromium and code-server (by process group); removes the profile unless `keep`. */
  async dispose(opts: { keep?: boolean } = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const wb of this.workbenches) await wb.close();
    this.workbenches.clear();
    await this.chromium.close();
    await this.server.stop();
    if (opts.keep) console.log(`  kept profile (logs) at ${this.profile.root}`);
    else fs.rmSync(this.profile.root, { recursive: true, force: true });
  }
}

let current: Session | undefined;

/** The session the e2e runner started; suites call this in their `before` hooks. */
export function session(): Session {
  if (!current) throw new Error('no e2e session: run the suites through out/test/e2e/run.js (npm run test:e2e)');
  return current;
}

export function setSession(s: Session | undefined): void {
  current = s;
}
