/**
 * The reader limits of src/io/limits.ts, in process: each limit refuses with its InputError naming
 * file, sheet, row and column, and can be lowered (ReadRowsOptions.limits) without building a huge file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/cli/errors';
import { readRows } from '../../src/io/read-rows';
import { DEFAULT_LIMITS, MAX_CELL_CHARS, MAX_COLUMNS, columnName, type ReaderLimits } from '../../src/io/limits';
import { writeGeneratedFixtures } from '../../fixtures/make-bad-fixtures';
import { pudong } from '../helpers/workspace';
import { BAD, scratch } from './helpers';

async function refusal(file: string, limits?: Partial<ReaderLimits>): Promise<InputError> {
  try {
    for await (const _ of readRows(file, { limits }));
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${path.basename(file)} was read without a refusal`);
}

test('the documented limits', () => {
  expect(MAX_COLUMNS).toBe(1000);
  expect(MAX_CELL_CHARS).toBe(32767);
  expect(DEFAULT_LIMITS.maxSheetXmlBytes).toBe(512 * 1024 * 1024);
  expect(columnName(0)).toBe('A');
  expect(columnName(1000)).toBe('ALM');
  expect(columnName(16383)).toBe('XFD');
});

test('columns: a value past the limit is refused with its sheet, row and column', async () => {
  const err = await refusal(pudong('附件2-事项目录.xlsx'), { maxColumns: 3 });
  expect(err.code).toBe('TOO_MANY_COLUMNS');
  expect(err.exitCode).toBe(3);
  expect(err.message).toMatch(/^“附件2-事项目录\.xlsx”工作表“.+”第 \d+ 行 D 列有内容，超出了 3 列的上限/);
  const csv = await refusal(pudong('附件3-行业事项对应表.csv'), { maxColumns: 2 });
  expect(csv.code).toBe('TOO_MANY_COLUMNS');
  expect(csv.message).toContain(' C 列有内容');
});

test('cell length: xlsx and csv name the cell', async () => {
  const xlsx = await refusal(pudong('附件2-事项目录.xlsx'), { maxCellChars: 10 });
  expect(xlsx.code).toBe('CELL_TOO_LONG');
  expect(xlsx.message).toMatch(/工作表“.+”第 \d+ 行 [A-Z]+ 列的内容超过 10 个字符/);
  const csv = await refusal(pudong('附件3-行业事项对应表.csv'), { maxCellChars: 3 });
  expect(csv.code).toBe('CELL_TOO_LONG');
});

test('sizes: the central directory refuses a sheet before inflating it; a csv by its file size', async () => {
  const xlsx = await refusal(pudong('附件2-事项目录.xlsx'), { maxSheetXmlBytes: 1000 });
  expect(xlsx.code).toBe('FILE_TOO_LARGE');
  expect(xlsx.message).toMatch(/的工作表“.+”解压后为 .+，超出 1000 B 的上限/);
  const parts = await refusal(pudong('附件2-事项目录.xlsx'), { maxPartBytes: 100 });
  expect(parts.code).toBe('FILE_TOO_LARGE');
  const csv = await refusal(pudong('附件3-行业事项对应表.csv'), { maxCsvBytes: 100 });
  expect(csv.code).toBe('FILE_TOO_LARGE');
  expect(csv.message).toContain('大小为');
});

test('more merged ranges than a sheet needs are refused', async () => {
  const err = await refusal(pudong('附件2-事项目录.xlsx'), { maxMerges: 1 });
  expect(err.code).toBe('BAD_WORKBOOK');
  expect(err.message).toMatch(/工作表“.+”有超过 1 个合并单元格区域/);
});

test('a zip with more entries than a workbook ever has is refused', async () => {
  const err = await refusal(pudong('附件2-事项目录.xlsx'), { maxZipEntries: 3 });
  expect(err.code).toBe('BAD_WORKBOOK');
  expect(err.message).toContain('超出 3 个的上限');
});

test('zip bombs are refused without inflating them (RSS logged, not asserted)', async () => {
  const gen = writeGeneratedFixtures(scratch('limits-gen-'));
  const rssBefore = process.memoryUsage().rss;
  const honest = await refusal(path.join(BAD, 'zip-bomb.xlsx'));
  expect(honest.code).toBe('FILE_TOO_LARGE');
  const lying = await refusal(gen['zip-bomb-lying.xlsx']);
  expect(lying.code).toBe('BAD_WORKBOOK');
  expect(lying.message).toContain('压缩包中记录的大小与实际内容不符');
  // the lying bomb is 4 GB inflated; reading it whole would take gigabytes, not these few megabytes
  const grew = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
  process.stdout.write(`zip bombs refused; RSS grew ${grew.toFixed(1)} MB (${(fs.statSync(gen['zip-bomb-lying.xlsx']).size / 1024 / 1024).toFixed(1)} MB file, 4 GB inflated)\n`);
});

test('a lower limit passed for one read does not leak into the next', async () => {
  await refusal(pudong('附件2-事项目录.xlsx'), { maxColumns: 3 });
  let rows = 0;
  for await (const _ of readRows(pudong('附件2-事项目录.xlsx'))) rows++;
  expect(rows).toBeGreaterThan(10);
});
