// Gathers cell results from the JUnit files of one or more run directories, for rebuilding a
// matrix after partial runs or runs spread over several machines.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BadInputError } from '../model/errors.ts';
import type { CellResult } from '../model/results.ts';
import { JUnitReadError, readJUnitCells } from './junit-read.ts';

export interface CollectedCells {
  cells: CellResult[];
  /** One line per cell replaced by a later input. */
  notes: string[];
  /** Every JUnit file read, in order. */
  files: string[];
}

/**
 * Reads <dir>/junit/*.xml of every run directory (or <dir>/junit.xml when a run has no
 * per-cell files). A cell found again in a later file replaces the earlier one.
 */
export async function collectRunCells(runDirs: readonly string[]): Promise<CollectedCells> {
  const byId = new Map<string, { result: CellResult; file: string }>();
  const notes: string[] = [];
  const files: string[] = [];
  for (const runDir of runDirs) {
    for (const file of await junitFilesOf(runDir)) {
      files.push(file);
      for (const result of await readJUnitFile(file)) {
        const earlier = byId.get(result.cell.id);
        if (earlier !== undefined) notes.push(`cell ${result.cell.id}: ${file} replaces ${earlier.file} (later input wins)`);
        byId.delete(result.cell.id);
        byId.set(result.cell.id, { result, file });
      }
    }
  }
  return { cells: [...byId.values()].map((entry) => entry.result), notes, files };
}

export async function readJUnitFile(file: string): Promise<CellResult[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BadInputError(`cannot read JUnit file ${file}: ${(error as Error).message}`);
  }
  try {
    const cells = readJUnitCells(text, { fallbackCellId: basename(file).replace(/\.xml$/i, '') });
    if (cells.length === 0) throw new JUnitReadError('it holds no testsuite');
    return cells;
  } catch (error) {
    if (error instanceof JUnitReadError) {
      throw new BadInputError(`invalid JUnit file ${file}: ${error.message}`, 'pass run directories written by `cnimatrix run` (reports/<run-id>), see docs/junit.md');
    }
    throw error;
  }
}

async function junitFilesOf(runDir: string): Promise<string[]> {
  const info = await stat(runDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new BadInputError(`run directory ${runDir} does not exist or is not a directory`, 'pass a run directory such as reports/<run-id>');
  }
  const junitDir = join(runDir, 'junit');
  const entries = await readdir(junitDir).catch(() => undefined);
  const perCell = (entries ?? []).filter((name) => name.toLowerCase().endsWith('.xml')).sort();
  if (perCell.length > 0) return perCell.map((name) => join(junitDir, name));
  const combined = join(runDir, 'junit.xml');
  if ((await stat(combined).catch(() => undefined))?.isFile()) return [combined];
  throw new BadInputError(`run directory ${runDir} has no JUnit files (looked for ${junitDir}/*.xml and ${combined})`, 'pass the folder of a cnimatrix run, e.g. reports/<run-id>');
}
