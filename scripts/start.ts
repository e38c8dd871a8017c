/**
 * npm start: builds and packages the extension, makes sure code-server is installed, installs
 * the VSIX into the persistent dev profile .vscode-test/dev-profile and serves sample/ on
 * 127.0.0.1 (port KPR_PORT, or a free one) until Ctrl-C. Open the printed URL in a browser.
 * Settings you change in that VS Code stay in the dev profile; delete the folder to reset it.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { createProfile, installVsix, REPO_ROOT, startCodeServer } from '../test/e2e/harness';

function step(what: string, cmd: string, args: string[]): void {
  console.log(`[start] ${what}: ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' });
}

async function main(): Promise<void> {
  step('build and package', 'npm', ['run', 'package']);
  step('code-server', 'bash', ['scripts/install-vscode.sh']);

  const vsix = path.join(REPO_ROOT, 'dist', 'kernel-patch-reasoner.vsix');
  const folder = path.join(REPO_ROOT, 'sample');
  const profile = createProfile({ root: path.join(REPO_ROOT, '.vscode-test', 'dev-profile') });
  await installVsix(profile, vsix);
  console.log(`[start] installed ${path.relative(REPO_ROOT, vsix)} into ${path.relative(REPO_ROOT, profile.root)}`);

  const port = process.env.KPR_PORT ? Number(process.env.KPR_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`KPR_PORT is not a port: ${process.env.KPR_PORT}`);
  const server = await startCodeServer({ profile, folder, port, echo: process.stdout });
  console.log('');
  console.log(`[start] VS Code (code-server) is serving ${path.relative(REPO_ROOT, folder)}/ at:`);
  console.log(`[start]   ${server.url}/?folder=${encodeURIComponent(folder)}`);
  console.log(`[start] logs: ${profile.serverLog}, extension host: ${profile.userDataDir}/logs/<time>/exthost1/`);
  console.log('[start] Ctrl-C stops it.');
  server.child.once('exit', (code, signal) => {
    console.log(`[start] code-server exited (${code ?? signal})`);
    process.exit(code ?? 1);
  });
}

main().catch((e) => {
  console.error(`[start] ${(e as Error).message}`);
  process.exit(1);
});
