import type { Db } from '../db';
import { connect, isPostgresUrl, migrateLatest, migrationStatus, redact } from '../db';
import { ConflictError, InputError } from '../cli/errors';

/** Workspace settings chosen at `yiye init`. */
export interface WorkspaceSettings {
  /** 行政区划代码 (GB/T 2260), six digits, e.g. 310115 浦东新区. */
  regionCode: string;
  /** 发证机关, printed on licences. */
  authorityName: string;
  /** Licence-number pattern: {region} {year} {industry} and {seq:N} (N-digit sequence). */
  licenseNumberPattern: string;
}

export const DEFAULT_NUMBER_PATTERN = '{region}{year}{industry}{seq:6}';

const KEYS: Record<keyof WorkspaceSettings, string> = {
  regionCode: 'region_code',
  authorityName: 'authority_name',
  licenseNumberPattern: 'license_number_pattern',
};

/** Checks settings before anything is written; each problem named in Chinese. */
export function validateSettings(s: WorkspaceSettings): void {
  if (!/^\d{6}$/.test(s.regionCode)) throw new InputError(`行政区划代码“${s.regionCode}”应为 6 位数字（GB/T 2260，如 310115）。`, '用 --region 指定，例如 --region 310115。');
  if (!s.authorityName.trim()) throw new InputError('发证机关名称不能为空。', '用 --authority 指定，例如 --authority 浦东新区人民政府。');
  const pattern = s.licenseNumberPattern;
  const tokens = pattern.match(/\{[^}]*\}/g) ?? [];
  const unknown = tokens.filter((t) => !/^\{(region|year|industry|seq:\d{1,2})\}$/.test(t));
  if (unknown.length) throw new InputError(`许可证编号规则“${pattern}”含有无法识别的占位符：${unknown.join('、')}。`, '可用占位符：{region} 区划代码、{year} 年份、{industry} 行业编码、{seq:6} 6 位流水号。');
  if (!tokens.some((t) => t.startsWith('{seq:'))) throw new InputError(`许可证编号规则“${pattern}”缺少流水号占位符 {seq:N}。`, `例如默认规则 ${DEFAULT_NUMBER_PATTERN}。`);
}

export async function readSettings(db: Db): Promise<WorkspaceSettings> {
  const rows: Array<{ key: string; value: string }> = await db('settings').select();
  const map = new Map(rows.map((r) => [r.key, r.value]));
  return {
    regionCode: map.get(KEYS.regionCode) ?? '',
    authorityName: map.get(KEYS.authorityName) ?? '',
    licenseNumberPattern: map.get(KEYS.licenseNumberPattern) ?? DEFAULT_NUMBER_PATTERN,
  };
}

export interface InitResult {
  db: string;
  dialect: 'sqlite' | 'postgres';
  created: boolean;
  updated: boolean;
  migrationsApplied: string[];
  settings: WorkspaceSettings;
}

/**
 * Creates the workspace (schema and settings), or confirms an existing one. Re-running with the same
 * settings changes nothing; different settings on an existing workspace are a conflict (exit 4)
 * unless `force` is given, because licence numbers already issued follow the old pattern.
 */
export async function initWorkspace(target: string, settings: WorkspaceSettings, opts: { force?: boolean } = {}): Promise<InitResult> {
  validateSettings(settings);
  const db = connect(target);
  try {
    const before = await migrationStatus(db);
    const created = before.applied.length === 0;
    const migrationsApplied = await migrateLatest(db);
    let updated = false;
    await db.transaction(async (trx) => {
      const current = created ? undefined : await readSettings(trx);
      if (current && current.regionCode) {
        const differs = (Object.keys(KEYS) as Array<keyof WorkspaceSettings>).filter((k) => current[k] !== settings[k]);
        if (differs.length === 0) return;
        if (!opts.force) {
          throw new ConflictError(
            `工作区已初始化，设置与本次不同：${differs.map((k) => `${k}（现为“${current[k]}”）`).join('、')}。`,
            '如确需修改设置，请加 --force（已发许可证的编号不会改变）。',
          );
        }
      }
      for (const [k, key] of Object.entries(KEYS) as Array<[keyof WorkspaceSettings, string]>) {
        await trx('settings').insert({ key, value: settings[k] }).onConflict('key').merge();
      }
      updated = !created;
    });
    return { db: redact(target), dialect: isPostgresUrl(target) ? 'postgres' : 'sqlite', created, updated, migrationsApplied, settings };
  } finally {
    await db.destroy();
  }
}
