import { reportFormatFor } from '../../src/report/progress';
import { UsageError } from '../../src/cli/errors';

describe('the progress report format', () => {
  it('comes from --format, else from the --out extension, else xlsx', () => {
    expect(reportFormatFor('md', undefined)).toBe('md');
    expect(reportFormatFor(undefined, '报告/进展.HTML')).toBe('html');
    expect(reportFormatFor(undefined, '进展.htm')).toBe('html');
    expect(reportFormatFor(undefined, '进展.md')).toBe('md');
    expect(reportFormatFor(undefined, '进展')).toBe('xlsx');
    expect(reportFormatFor(undefined, undefined)).toBe('xlsx');
    expect(reportFormatFor('html', '进展')).toBe('html');
  });
  it('refuses a file name that contradicts the format or that no format has', () => {
    expect(() => reportFormatFor('xlsx', '进展.html')).toThrow(UsageError);
    expect(() => reportFormatFor('xlsx', '进展.html')).toThrow(/扩展名是 \.html，与 --format xlsx 不符/);
    expect(() => reportFormatFor(undefined, '进展.docx')).toThrow(/只能是 \.xlsx、\.html 或 \.md/);
  });
});
