import { Flags } from '@oclif/core';
import { UsageError } from '../cli/errors';
import { parseDateValue } from '../text/dates';
import { KEY_FILE_ENV } from './keys';
import { today } from '../text/dates';

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
