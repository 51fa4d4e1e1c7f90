// Loads a matrix from a matrix.json file or a run directory (its matrix.json, else its JUnit).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError } from '../model/errors.ts';
import { collectRunCells } from './collect.ts';
import { buildMatrix, MatrixFormatError, mergedRunInfo, parseMatrix } from './matrix.ts';
import type { Matrix } from './matrix.ts';
import { cnimatrixVersion } from './version.ts';

export async function loadMatrix(path: string): Promise<Matrix> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new BadInputError(`${path} does not exist`, 'pass a run directory (reports/<run-id>) or a matrix.json file');
  if (info.isDirectory()) {
    const json = join(path, 'matrix.json');
    if ((await stat(json).catch(() => undefined))?.isFile()) return readMatrixFile(json);
    const { cells } = await collectRunCells([path]);
    return buildMatrix(cells, mergedRunInfo(cells, cnimatrixVersion()));
  }
  return readMatrixFile(path);
}

async function readMatrixFile(file: string): Promise<Matrix> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new BadInputError(`${file} is not a readable JSON file: ${(error as Error).message}`, 'pass a matrix.json written by cnimatrix');
  }
  try {
    return parseMatrix(data);
  } catch (error) {
    if (error instanceof MatrixFormatError) throw new BadInputError(`${file} is not a cnimatrix matrix: ${error.message}`);
    throw error;
  }
}
