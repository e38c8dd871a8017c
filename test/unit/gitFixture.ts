// A git repository built by a test in a temp dir: the multi-file change (a header, another C
// file and the ext4-like inode.c) and a 5-commit series over sample/inode.c.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, sample } from './helpers';

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.invalid', GIT_AUTHOR_DATE: '2008-10-01T00:00:00Z', GIT_COMMITTER_DATE: '2008-10-01T00:00:00Z' },
  });
}

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

function commit(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

export interface FixtureRepo {
  dir: string;
  /** Commits oldest first: base, multi (the multi-file fix), then the series. */
  hashes: Record<string, string>;
}

const RENAMED = 'ext4_da_get_block_write_mapped';

/**
 * base:   fs/ext4/{ext4.h,balloc.c} and README
 * intro:  adds fs/ext4/inode.c (sample/inode.c): introduces the seed's findings
 * other:  changes balloc.c only
 * cosmetic: a comment in inode.c (nothing changes)
 * rename: renames ext4_da_get_block_write (a function with findings) everywhere: moved
 * fix:    the seed's fix (sample/inode-fixed.c, with the rename), plus ext4.h and balloc.c: fixed
 */
export function buildFixtureRepo(): FixtureRepo {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  const h: Record<string, string> = {};
  write(dir, 'README', 'fixture\n');
  write(dir, 'fs/ext4/ext4.h', fs.readFileSync(path.join(FIXTURES, 'series/ext4.h'), 'utf8'));
  write(dir, 'fs/ext4/balloc.c', fs.readFileSync(path.join(FIXTURES, 'series/balloc.c'), 'utf8'));
  h.base = commit(dir, 'base: header and balloc.c');
  const pre = sample('inode.c');
  write(dir, 'fs/ext4/inode.c', pre);
  h.intro = commit(dir, 'ext4: add inode.c');
  write(dir, 'fs/ext4/balloc.c', fs.readFileSync(path.join(FIXTURES, 'series/balloc.c'), 'utf8').replace('sum += map[i] == 0;', 'sum += !map[i];'));
  h.other = commit(dir, 'ext4: balloc.c only');
  write(dir, 'fs/ext4/inode.c', pre.replace('\n', '\n/* a comment that changes nothing */\n'));
  h.cosmetic = commit(dir, 'ext4: a comment in inode.c');
  const renamed = (t: string): string => t.replace(/\bext4_da_get_block_write\b/g, RENAMED);
  write(dir, 'fs/ext4/inode.c', renamed(pre.replace('\n', '\n/* a comment that changes nothing */\n')));
  h.rename = commit(dir, 'ext4: rename ext4_da_get_block_write');
  write(dir, 'fs/ext4/inode.c', renamed(sample('inode-fixed.c')));
  write(dir, 'fs/ext4/ext4.h', fs.readFileSync(path.join(FIXTURES, 'series/ext4.h'), 'utf8').replace('#endif', '#define EXT4_MAX_BLOCK_SIZE 65536\n#endif'));
  write(dir, 'fs/ext4/balloc.c', fs.readFileSync(path.join(FIXTURES, 'series/balloc.c'), 'utf8').replace('sum += map[i] == 0;', 'sum += !map[i]; /* fixed */'));
  h.fix = commit(dir, 'ext4: Handle page without buffers in ext4_*_writepage()');
  return { dir, hashes: h };
}

export { RENAMED };
