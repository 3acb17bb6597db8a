/**
 * Issue 18 item 10: the interactive counter (`license apply --save-dir`) named the saved application
 * file after the typed 申请编号 as is, so `CON` made `CON.csv` (a Windows device) and `../x` left the
 * folder. It is now named like every output path (safeSegment + resolveInside). The interactive flow
 * needs a terminal, so the saving function is called directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { saveApplication, type Application } from '../../src/license/interactive';
import { ISSUE_FIELDS, type IssueField } from '../../src/license/issue';
import { scratch } from './helpers';

const app = (applicationNo: string) => ({ ...Object.fromEntries((Object.keys(ISSUE_FIELDS) as IssueField[]).map((f) => [f, 'x'])), applicationNo }) as Application;

describe('--save-dir file names', () => {
  it('are safe path components inside the folder', async () => {
    const dir = scratch('save-dir-');
    const names: string[] = [];
    for (const no of ['CON', 'nul.txt', 'COM1', '../../逃逸', 'a/b\\c']) names.push(path.relative(dir, await saveApplication(app(no), dir)));
    expect(names).toEqual(['_CON.csv', '_nul.txt.csv', '_COM1.csv', '____逃逸.csv', 'a_b_c.csv']);
    for (const n of names) expect(fs.existsSync(path.join(dir, n))).toBe(true);
    expect(fs.readdirSync(path.dirname(dir)).filter((f) => f.includes('逃逸'))).toEqual([]);
  });
});
