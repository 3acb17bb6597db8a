import { Flags } from '@oclif/core';
import { UsageError } from '../cli/errors';
import { lastDayOfMonth, parseDateValue } from '../text/dates';
import { toHalfWidth } from '../text/normalize';
import { KEY_FILE_ENV } from './keys';
import { today } from '../text/dates';
import { STATUS_LABEL, type LicenseStatus } from './types';

/** --status words: the stored English ones, the register's Chinese labels (撤销) and the 已… form (已撤销). */
const STATUS_WORDS = new Map<string, LicenseStatus>(
  (Object.entries(STATUS_LABEL) as Array<[LicenseStatus, string]>).flatMap(([s, label]) => [[s, s], [label, s], ...(s === 'valid' ? [] : [[`已${label}`, s]])] as Array<[string, LicenseStatus]>),
);

/** --key-file, shared by every command that signs (issue, change, renew, apply, revocations). */
export const keyFileFlag = Flags.string({
  summary: '工作区签名私钥文件，默认见 yiye init 的说明 (private signing key file)',
  env: KEY_FILE_ENV,
});

/**
 * A date flag (--date, --until, --issued-from …) read as the batch files' date cells are
 * (`parseDateValue`: 2026-05-01, 2026/5/1, 2026.5.1, 2026年5月1日, full-width digits), as YYYY-MM-DD;
 * today when absent. A bare number is refused: Excel serials come from cells, and typed digits
 * (20260501, 46143) are more likely a slip than a serial.
 */
export function parseDateFlag(value: string | undefined, flag = '--date'): string {
  if (value === undefined) return today();
  const iso = /^\s*[\d０-９]+([.．][\d０-９]+)?\s*$/.test(value) ? null : parseDateValue(value);
  const parts = iso ? null : /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$/.exec(toHalfWidth(value).trim());
  if (parts && Number(parts[2]) >= 1 && Number(parts[2]) <= 12 && Number(parts[3]) > lastDayOfMonth(Number(parts[1]), Number(parts[2]))) {
    // the right form, but no such day: say so rather than "wrong format"
    throw new UsageError(`${flag} 的值“${value}”不是实际存在的日期：${parts[1]} 年 ${Number(parts[2])} 月没有 ${Number(parts[3])} 日。`, `请核对日期，例如 ${flag} ${parts[1]}-${parts[2].padStart(2, '0')}-01。`);
  }
  if (!iso) throw new UsageError(`${flag} 的值“${value}”不是有效日期。`, `请写作 2026-05-01、2026/5/1 或 2026年5月1日，例如 ${flag} 2026-05-01。`);
  return iso;
}

/** The register's filters, shared by `license list` and `license export`. */
export const registerFilterFlags = {
  status: Flags.string({
    summary: '只要此状态（按 --date 判断是否过期）：有效/撤销/注销/失效/吊销，或 valid/revoked/cancelled/expired/withdrawn (only this status)',
    options: [...STATUS_WORDS.keys()],
  }),
  industry: Flags.string({ summary: '只要此行业（名称或编码） (only this industry)' }),
  'issued-from': Flags.string({ summary: '首次发证日期不早于此日 (first issued on or after)' }),
  'issued-to': Flags.string({ summary: '首次发证日期不晚于此日 (first issued on or before)' }),
  date: Flags.string({ summary: '按此日期判断是否过期，默认今天 (as-of date)' }),
};

/** Those flags as the filter the service takes; dates in any of the forms `parseDateFlag` reads. */
export function registerFilter(flags: { status?: string; industry?: string; 'issued-from'?: string; 'issued-to'?: string; date?: string }) {
  return {
    status: flags.status ? STATUS_WORDS.get(flags.status) : undefined,
    industry: flags.industry,
    ...issuedRange(flags['issued-from'], flags['issued-to']),
    asOf: parseDateFlag(flags.date),
  };
}

/** --issued-from / --issued-to; a range that ends before it starts would silently find nothing: exit 2. */
function issuedRange(from: string | undefined, to: string | undefined): { issuedFrom?: string; issuedTo?: string } {
  const issuedFrom = from ? parseDateFlag(from, '--issued-from') : undefined;
  const issuedTo = to ? parseDateFlag(to, '--issued-to') : undefined;
  if (issuedFrom && issuedTo && issuedFrom > issuedTo) {
    throw new UsageError(`--issued-from ${issuedFrom} 晚于 --issued-to ${issuedTo}，这个日期范围内不可能有许可证。`, '请检查两个日期是否写反。');
  }
  return { issuedFrom, issuedTo };
}
