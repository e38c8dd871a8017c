// `kpr lsp` driven by a scripted LSP client over stdio (JSON-RPC with Content-Length framing):
// initialize, didOpen on the sample, diagnostics arrive, hover, definition through a table
// member, call hierarchy through a primitive, a code action, shutdown and exit.
import * as assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SAMPLE } from './helpers';

interface Message {
  jsonrpc: '2.0';
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

class Client {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  readonly notifications: Message[] = [];
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  stderr = '';

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => this.onData(d));
    proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const sep = this.buffer.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const header = this.buffer.subarray(0, sep).toString('ascii');
      const m = /Content-Length: (\d+)/i.exec(header);
      assert.ok(m, `bad header from the server: ${header}`);
      const len = Number(m[1]);
      if (this.buffer.length < sep + 4 + len) return;
      const body = JSON.parse(this.buffer.subarray(sep + 4, sep + 4 + len).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(sep + 4 + len);
      this.dispatch(body);
    }
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined && m.method === undefined) {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
      return;
    }
    if (m.id !== undefined && m.method) {
      // A request from the server (e.g. client/registerCapability): answer it.
      this.write({ jsonrpc: '2.0', id: m.id, result: null });
      return;
    }
    this.notifications.push(m);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  private write(m: Message): void {
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T)));
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  waitFor(pred: (m: Message) => boolean): Promise<Message> {
    const have = this.notifications.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
}

interface Pos {
  line: number;
  character: number;
}
interface Range {
  start: Pos;
  end: Pos;
}

/** 0-based position of `word` on the first line containing `lineText`. */
function pos(text: string, lineText: string, word: string): Pos {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(lineText));
  assert.ok(line >= 0, lineText);
  return { line, character: lines[line].indexOf(word, lines[line].indexOf(lineText)) + 1 };
}

describe('kpr lsp (scripted client over stdio)', function () {
  this.timeout(120000);
  let client: Client;
  const file = path.join(SAMPLE, 'inode.c');
  const uri = pathToFileURL(file).toString();
  const text = fs.readFileSync(file, 'utf8');

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build first');
    client = new Client(spawn(process.execPath, [path.join(ROOT, 'bin', 'kpr.js'), 'lsp', '--stdio'], { cwd: ROOT }));
  });
  after(() => {
    if (client.proc.exitCode === null) client.proc.kill();
  });

  it('initialize announces the features', async () => {
    const init = await client.request<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>('initialize', { processId: process.pid, rootUri: pathToFileURL(SAMPLE).toString(), capabilities: {} });
    assert.equal(init.serverInfo.name, 'kpr');
    for (const c of ['hoverProvider', 'definitionProvider', 'implementationProvider', 'referencesProvider', 'callHierarchyProvider', 'documentSymbolProvider', 'codeLensProvider', 'codeActionProvider']) assert.ok(init.capabilities[c], c);
    client.notify('initialized', {});
  });

  it('didOpen: diagnostics with rule codes arrive for the sample', async () => {
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri);
    const diags = (m.params as { diagnostics: { code: string; range: Range; message: string; codeDescription?: { href: string }; data?: unknown }[] }).diagnostics;
    const foreign = diags.find((d) => d.code === 'foreign-credits');
    assert.ok(foreign, JSON.stringify(diags.map((d) => d.code)));
    assert.equal(foreign.range.start.line + 1, pos(text, 'ret = ext4_get_blocks_wrap(handle, inode, iblock, max_blocks,', 'ret').line + 1);
    assert.match(foreign.codeDescription!.href, /^file:.*docs\/rules\.md#foreign-credits$/);
    assert.ok(diags.some((d) => d.code === 'kernel-bug'));
    // The engine ran in the analysis worker beside dist/cli.js, not on the server's thread.
    const logged = await client.waitFor((n) => n.method === 'window/logMessage' && /analysed .*inode\.c v1: /.test((n.params as { message: string }).message));
    assert.match((logged.params as { message: string }).message, /, worker\)$/);
  });

  it('hover on a get_block callback says what it passes as create and who reaches it', async () => {
    const h = await client.request<{ contents: { kind: string; value: string } }>('textDocument/hover', { textDocument: { uri }, position: pos(text, 'static int ext4_da_get_block_write(', 'ext4_da_get_block_write') });
    assert.equal(h.contents.kind, 'markdown');
    assert.match(h.contents.value, /get_block callback.*ext4_da_get_block_write/);
    assert.match(h.contents.value, /ext4_da_aops\.writepage `ext4_da_writepage` via `block_write_full_page`/);
  });

  it('definition on a table\'s `.writepage = fn` goes to fn', async () => {
    const defs = await client.request<{ uri: string; range: Range }[]>('textDocument/definition', { textDocument: { uri }, position: pos(text, '.writepage	= ext4_da_writepage', 'ext4_da_writepage') });
    assert.equal(defs.length, 1);
    assert.equal(defs[0].uri, uri);
    assert.equal(defs[0].range.start.line, pos(text, 'static int ext4_da_writepage(', 'ext4_da_writepage').line);
  });

  it('call hierarchy: incoming calls of a callback go through the primitive', async () => {
    const items = await client.request<{ name: string }[]>('textDocument/prepareCallHierarchy', { textDocument: { uri }, position: pos(text, 'static int ext4_da_get_block_write(', 'ext4_da_get_block_write') });
    assert.equal(items[0].name, 'ext4_da_get_block_write');
    const incoming = await client.request<{ from: { name: string } }[]>('callHierarchy/incomingCalls', { item: items[0] });
    assert.ok(incoming.some((c) => c.from.name === 'ext4_da_writepage → block_write_full_page'), JSON.stringify(incoming.map((c) => c.from.name)));
  });

  it('code actions on a finding: suppress with a comment above the line, in .kpr.json, open the rule', async () => {
    const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics');
    const diag = (m.params as { diagnostics: { code: string; range: Range }[] }).diagnostics.find((d) => d.code === 'kernel-bug')!;
    const actions = await client.request<{ title: string; edit?: { changes?: Record<string, { range: Range; newText: string }[]> } }[]>('textDocument/codeAction', { textDocument: { uri }, range: diag.range, context: { diagnostics: [diag] } });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Suppress kernel-bug on this line (kpr-ignore comment)'), titles.join('; '));
    assert.ok(titles.some((t) => /in \.kpr\.json$/.test(t)), titles.join('; '));
    assert.ok(titles.includes('Open the documentation of kernel-bug'));
    const edit = actions.find((a) => a.title.startsWith('Suppress kernel-bug on this line'))!.edit!.changes![uri][0];
    assert.equal(edit.range.start.line, diag.range.start.line);
    assert.equal(edit.newText, `${/^\s*/.exec(text.split("\n")[diag.range.start.line])![0]}/* kpr-ignore kernel-bug:  */\n`);
  });

  it('didChange with a kpr-ignore comment: the finding leaves the published diagnostics', async () => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('page_bufs = page_buffers(page);'));
    const comment = '\t\t/* kpr-ignore kernel-bug: the scripted client says so */\n';
    client.notifications.length = 0;
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, text: comment }] });
    const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { version?: number }).version === 2);
    const diags = (m.params as { diagnostics: { code: string; range: Range }[] }).diagnostics;
    assert.ok(!diags.some((d) => d.code === 'kernel-bug' && d.range.start.line === at + 1), 'the suppressed kernel-bug is gone');
    assert.ok(diags.some((d) => d.code === 'kernel-bug'), 'other kernel-bug findings stay');
  });

  it('shutdown and exit end the process with status 0', async () => {
    await client.request('shutdown', null);
    const exited = new Promise<number | null>((resolve) => client.proc.on('exit', (code) => resolve(code)));
    client.notify('exit', null);
    assert.equal(await exited, 0, client.stderr);
  });
});
