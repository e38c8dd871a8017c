// The table of every kernel-API model, by the name the C source calls.
import type { ModelSpec, ModelTable } from '../interp/interpreter';
import { allocModels } from './alloc';
import { blockIoModels } from './blockIo';
import { journalModels } from './journal';
import { kernelConstants, miscModels } from './misc';
import { pageBufferModels } from './pageBuffers';

let table: Map<string, ModelSpec> | undefined;

export function modelTable(): ModelTable {
  if (!table) table = new Map([...pageBufferModels, ...blockIoModels, ...journalModels, ...allocModels, ...miscModels]);
  return table;
}

export const constants = kernelConstants();
export { GET_BLOCK_TAKERS } from './blockIo';
