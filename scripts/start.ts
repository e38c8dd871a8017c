/**
 * npm start: builds and packages the extension, makes sure a real VS Code (code-server) and its
 * system packages are installed, installs the VSIX into the persistent dev profile
 * .vscode-test/dev-profile and serves sample/ on 127.0.0.1 (port KPR_PORT, or a free one) until
 * Ctrl-C. One line per step on the terminal; the steps' own output goes to .vscode-test/start.log.
 * Settings you change in that VS Code stay in the dev profile; delete the folder to reset it
 * (the walkthrough then opens again on the next start).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProfile, DEFAULT_SETTINGS, installVsix, REPO_ROOT, startCodeServer } from '../test/e2e/harness';

const LOG = path.join(REPO_ROOT, '.vscode-test', 'start.log');
const t0 = Date.now();

function say(line: string): void {
  console.log(`[start ${String(Math.round((Date.now() - t0) / 1000)).padStart(3)}s] ${line}`);
}

/** Runs a step with its output in the log; the terminal gets one line (and the log's tail on failure). */
function step(what: string, cmd: string, args: string[], opts: { passThrough?: RegExp } = {}): Promise<void> {
  say(what);
  fs.appendFileSync(LOG, `\n$ ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const onData = (d: Buffer) => {
      fs.appendFileSync(LOG, d);
      if (!opts.passThrough) return;
      // Lines a step wants the user to read (install-vscode.sh's own one-line steps).
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (opts.passThrough.test(l)) console.log(`          ${l}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      const tail = fs.readFileSync(LOG, 'utf8').split('\n').slice(-25).join('\n');
      reject(new Error(`${what} failed (exit ${code}); the end of ${path.relative(REPO_ROOT, LOG)}:\n${tail}`));
    });
  });
}

/** The dev profile: the test profile's quiet workbench, but git on and the walkthrough on first start. */
const START_SETTINGS: Record<string, unknown> = {
  ...DEFAULT_SETTINGS,
  'git.enabled': true,
  // sample/ sits inside the project's repository: open it without asking, so Analyze Commit… and
  // Analyze Working-Tree Change work at once.
  'git.openRepositoryInParentFolders': 'always',
  'kpr.walkthrough.openOnFirstStart': true,
};

/** Profiles written by an older npm start had git off and walkthroughs hidden: set those two once. */
function migrateDevProfile(settingsFile: string): void {
  const marker = path.join(path.dirname(path.dirname(path.dirname(settingsFile))), '.kpr-dev-profile-v2');
  if (fs.existsSync(marker)) return;
  try {
    const cur = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settingsFile, JSON.stringify({ ...cur, 'git.enabled': true, 'git.openRepositoryInParentFolders': 'always', 'kpr.walkthrough.openOnFirstStart': true }, null, 2));
  } catch {
    /* unreadable: leave it to the user */
  }
  fs.writeFileSync(marker, '');
}

async function main(): Promise<void> {
  fs.mkdirSync(path.dirname(LOG), { recursive: true });
  fs.writeFileSync(LOG, `npm start, ${new Date().toISOString()}\n`);
  say(`each step's output: ${path.relative(REPO_ROOT, LOG)}`);
  await step('building and packaging the extension (dist/kernel-patch-reasoner.vsix)', 'npm', ['run', 'package']);
  await step('checking the real VS Code (code-server) and the system packages it needs', 'bash', ['scripts/install-vscode.sh'], { passThrough: /^\[install-vscode/ });

  const vsix = path.join(REPO_ROOT, 'dist', 'kernel-patch-reasoner.vsix');
  const folder = path.join(REPO_ROOT, 'sample');
  const root = path.join(REPO_ROOT, '.vscode-test', 'dev-profile');
  const fresh = !fs.existsSync(path.join(root, 'user-data', 'User', 'settings.json'));
  const profile = createProfile({ root, defaults: START_SETTINGS });
  if (!fresh) migrateDevProfile(path.join(profile.userDataDir, 'User', 'settings.json'));
  else fs.writeFileSync(path.join(root, '.kpr-dev-profile-v2'), '');
  say(`installing the extension into ${path.relative(REPO_ROOT, profile.root)}${fresh ? ' (new profile: the walkthrough opens on first start)' : ''}`);
  await installVsix(profile, vsix);

  const port = process.env.KPR_PORT ? Number(process.env.KPR_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`KPR_PORT is not a port: ${process.env.KPR_PORT}`);
  say(`starting code-server on 127.0.0.1:${port ?? '(a free port; set KPR_PORT to choose)'} (its log: ${path.relative(REPO_ROOT, profile.serverLog)})`);
  const server = await startCodeServer({ profile, folder, port });
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  console.log('');
  console.log(`  VS Code with Kernel Patch Reasoner, on ${path.relative(REPO_ROOT, folder)}/:`);
  console.log(`    ${url}`);
  console.log(`  From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} THIS_HOST, then open the same URL there.`);
  console.log(`  Extension logs: ${path.relative(REPO_ROOT, profile.userDataDir)}/logs/<time>/exthost1/. Ctrl-C stops it.`);
  server.child.once('exit', (code, signal) => {
    say(`code-server exited (${code ?? signal})`);
    process.exit(code ?? 1);
  });
}

main().catch((e) => {
  console.error(`[start] ${(e as Error).message}`);
  process.exit(1);
});
