/**
 * One rule for every file yiye writes on request (exports, reports, lists, keys): the extension
 * decides the format, an extension no format has is a usage error (exit 2) before anything is
 * read, and a file that already exists is not replaced unless --force (exit 4, as `db backup`).
 * Batch results and error lists (--results, --report) are the run's own outcome and are rewritten
 * by each run of the batch; they only may never be the input file (refuseOverwritingInput).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConflictError, InputError, UsageError } from '../cli/errors';

export interface OutputRule {
  /** what is written, in Chinese: 目录、许可证台账、进展报告 … */
  what: string;
  /** extensions allowed, with the dot: ['.xlsx', '.csv'] */
  formats: string[];
  force?: boolean;
  /** the files really written, when not the path itself (catalog export to .csv writes one per sheet) */
  files?: string[];
  /** the flag or argument naming the path, for the message */
  flag?: string;
}

/** Checks an output path against the rule; returns its extension (lower case, with the dot). */
export function checkOutput(file: string, rule: OutputRule): string {
  const ext = path.extname(file).toLowerCase();
  const list = rule.formats.join('、');
  if (!rule.formats.includes(ext)) {
    throw new UsageError(
      ext ? `无法按扩展名 ${ext} 写出${rule.what}“${path.basename(file)}”：只能是 ${list}。` : `${rule.flag ? `${rule.flag} 的` : ''}文件名“${path.basename(file)}”没有扩展名，无法确定${rule.what}的格式（可用 ${list}）。`,
      `请把文件名改为以 ${list} 之一结尾，格式由扩展名决定。`,
    );
  }
  const folder = (rule.files ?? [file]).find((f) => fs.existsSync(f) && fs.statSync(f).isDirectory());
  if (folder) throw new InputError(`“${folder}”是文件夹，不是文件。`, '请指定一个文件名。', undefined, 'EISDIR');
  if (!rule.force) {
    const existing = (rule.files ?? [file]).filter((f) => fs.existsSync(f));
    if (existing.length) {
      throw new ConflictError(`文件“${existing.join('”“')}”已存在，未覆盖。`, '请换一个文件名，或加 --force 覆盖。', { existing });
    }
  }
  return ext;
}
