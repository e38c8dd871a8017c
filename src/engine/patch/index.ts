// Patch module: parse unified diffs / format-patch mails and apply them to C text like GNU patch.
// Pure TypeScript (no vscode, no fs): text in, plain data out.
export * from './parse';
export * from './apply';
export * from './bases';
export * from './mbox';
