import fc from 'fast-check';
import type { CellValue } from '../../src/io/types';
import { cellText } from '../../src/text/normalize';
import { cellTextQuick } from '../../src/license/util';

describe('cellTextQuick', () => {
  it('gives what cellText gives, for any text and any cell', () => {
    // text built from the characters normalizeText treats specially, mixed with ordinary ones
    const special = fc.constantFrom(' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u3000', '\u00A0', '\u1680', '\u2002', '\u2009', '\u200A', '\u200B', '\u200D', '\uFEFF', '\u2028', '\u2029', '\u202F', '\u205F', '０', '９', 'Ａ', 'ｚ', '（', '、', '；', '-', '=');
    const ordinary = fc.constantFrom('便', '利', '店', 'a', 'Z', '1', '9', '号', '.', '(', ')');
    const text = fc.array(fc.oneof(special, ordinary, fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, (s) => cellTextQuick(s) === cellText(s)), { numRuns: 5000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => cellTextQuick(s) === cellText(s)), { numRuns: 2000 });
    const cells: CellValue[] = [null, '', 12, 0.1 + 0.2, true, new Date(Date.UTC(2026, 4, 1)), { error: '#N/A' }];
    for (const c of cells) expect(cellTextQuick(c)).toEqual(cellText(c));
  });
});
