import { Flags } from '@oclif/core';
import { UsageError } from '../cli/errors';
import { parseDateValue } from '../text/dates';
import { KEY_FILE_ENV } from './keys';
import { today } from '../text/dates';
import type { LicenseStatus } from './types';

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
  if (!iso) throw new UsageError(`${flag} 的值“${value}”不是有效日期。`, `请写作 2026-05-01、2026/5/1 或 2026年5月1日，例如 ${flag} 2026-05-01。`);
  return iso;
}

/** The register's filters, shared by `license list` and `license export`. */
export const registerFilterFlags = {
  status: Flags.string({ summary: '只要此状态（按 --date 判断是否过期） (only this status)', options: ['valid', 'revoked', 'cancelled', 'expired', 'withdrawn'] }),
  industry: Flags.string({ summary: '只要此行业（名称或编码） (only this industry)' }),
  'issued-from': Flags.string({ summary: '首次发证日期不早于此日 (first issued on or after)' }),
  'issued-to': Flags.string({ summary: '首次发证日期不晚于此日 (first issued on or before)' }),
  date: Flags.string({ summary: '按此日期判断是否过期，默认今天 (as-of date)' }),
};

/** Those flags as the filter the service takes; dates in any of the forms `parseDateFlag` reads. */
export function registerFilter(flags: { status?: string; industry?: string; 'issued-from'?: string; 'issued-to'?: string; date?: string }) {
  return {
    status: flags.status as LicenseStatus | undefined,
    industry: flags.industry,
    issuedFrom: flags['issued-from'] ? parseDateFlag(flags['issued-from'], '--issued-from') : undefined,
    issuedTo: flags['issued-to'] ? parseDateFlag(flags['issued-to'], '--issued-to') : undefined,
    asOf: parseDateFlag(flags.date),
  };
}
