import type { Db } from '../db';
import { connect, isPostgresUrl, migrateLatest, migrationStatus, redact } from '../db';
import { ConflictError, InputError } from '../cli/errors';
import { createPrivateKeyFile, keyIdOf, loadPrivateKey, parsePublicKey, publicPem, resolveKeyFile } from '../license/keys';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startSignedMarks } from '../audit/service';
import { normalizeText, toHalfWidth } from '../text/normalize';

/** Workspace settings chosen at `yiye init`. */
export interface WorkspaceSettings {
  /** 行政区划代码 (GB/T 2260), six digits, e.g. 310115 浦东新区. */
  regionCode: string;
  /** 发证机关, printed on licences. */
  authorityName: string;
  /** Licence-number pattern: {region} {year} {industry} and {seq:N} (N-digit sequence). */
  licenseNumberPattern: string;
  /** Printed before the signed payload in the QR code (e.g. https://…/verify?p=), '' for none. */
  verifyUrlPrefix?: string;
  /** How long a licence lasts when none of its items states an expiry. */
  defaultValidityYears?: number;
}

export const DEFAULT_NUMBER_PATTERN = '{region}{year}{industry}{seq:6}';
export const DEFAULT_VALIDITY_YEARS = 5;

const KEYS: Record<keyof WorkspaceSettings, string> = {
  regionCode: 'region_code',
  authorityName: 'authority_name',
  licenseNumberPattern: 'license_number_pattern',
  verifyUrlPrefix: 'license_verify_url',
  defaultValidityYears: 'license_validity_years',
};

/** How each setting is named to the user, with the init flag that sets it. */
const LABELS: Record<keyof WorkspaceSettings, string> = {
  regionCode: '行政区划代码（--region）',
  authorityName: '发证机关（--authority）',
  licenseNumberPattern: '许可证编号规则（--number-pattern）',
  verifyUrlPrefix: '核验网址前缀（--verify-url）',
  defaultValidityYears: '默认有效期年数（--validity-years）',
};

/** Settings keys of the workspace's public signing key (the private key is a file: src/license/keys.ts). */
export const PUBLIC_KEY_SETTING = 'license_public_key';
export const KEY_ID_SETTING = 'license_key_id';

/** Optional settings filled with their defaults, so that comparing old and new settings is exact. */
function withDefaults(s: WorkspaceSettings): Required<WorkspaceSettings> {
  return { ...s, verifyUrlPrefix: s.verifyUrlPrefix ?? '', defaultValidityYears: s.defaultValidityYears ?? DEFAULT_VALIDITY_YEARS };
}

/** Checks settings before anything is written; each problem named in Chinese. */
export function validateSettings(s: WorkspaceSettings): void {
  if (!/^\d{6}$/.test(s.regionCode)) throw new InputError(`行政区划代码“${s.regionCode}”应为 6 位数字（GB/T 2260，如 310115）。`, '用 --region 指定，例如 --region 310115。');
  if (!s.authorityName.trim()) throw new InputError('发证机关名称不能为空。', '用 --authority 指定，例如 --authority 浦东新区人民政府。');
  const pattern = s.licenseNumberPattern;
  const tokens = pattern.match(/\{[^}]*\}/g) ?? [];
  const unknown = tokens.filter((t) => !/^\{(region|year|industry|seq:\d{1,2})\}$/.test(t));
  if (unknown.length) throw new InputError(`许可证编号规则“${pattern}”含有无法识别的占位符：${unknown.join('、')}。`, '可用占位符：{region} 区划代码、{year} 年份、{industry} 行业编码、{seq:6} 6 位流水号。');
  if (!tokens.some((t) => t.startsWith('{seq:'))) throw new InputError(`许可证编号规则“${pattern}”缺少流水号占位符 {seq:N}。`, `例如默认规则 ${DEFAULT_NUMBER_PATTERN}。`);
  const years = s.defaultValidityYears ?? DEFAULT_VALIDITY_YEARS;
  if (!Number.isInteger(years) || years < 1 || years > 30) throw new InputError(`许可证默认有效期“${years}”年不合理，应为 1–30 的整数。`, '用 --validity-years 指定，例如 --validity-years 5。');
  const url = s.verifyUrlPrefix ?? '';
  if (url && !/^https?:\/\/[^\s]+$/.test(url)) throw new InputError(`核验网址前缀“${url}”应以 http:// 或 https:// 开头且不含空格。`, '例如 --verify-url https://zwfw.example.gov.cn/yiye/verify?p=');
}

export async function readSettings(db: Db): Promise<Required<WorkspaceSettings>> {
  const rows: Array<{ key: string; value: string }> = await db('settings').whereIn('key', Object.values(KEYS));
  const map = new Map(rows.map((r) => [r.key, r.value]));
  return {
    regionCode: map.get(KEYS.regionCode) ?? '',
    authorityName: map.get(KEYS.authorityName) ?? '',
    licenseNumberPattern: map.get(KEYS.licenseNumberPattern) ?? DEFAULT_NUMBER_PATTERN,
    verifyUrlPrefix: map.get(KEYS.verifyUrlPrefix) ?? '',
    defaultValidityYears: Number(map.get(KEYS.defaultValidityYears) ?? DEFAULT_VALIDITY_YEARS),
  };
}

/** The workspace's public key as stored at init (PEM) and its id, or null before keys exist. */
export async function readPublicKey(db: Db): Promise<{ pem: string; keyId: string } | null> {
  const rows: Array<{ key: string; value: string }> = await db('settings').whereIn('key', [PUBLIC_KEY_SETTING, KEY_ID_SETTING]);
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const pem = map.get(PUBLIC_KEY_SETTING);
  return pem ? { pem, keyId: map.get(KEY_ID_SETTING) ?? keyIdOf(parsePublicKey(pem)) } : null;
}

export interface KeyStatus {
  keyId: string;
  /** Where this machine keeps (or expects) the private key. */
  privateKeyFile: string;
  /** True when this init created the key pair. */
  created: boolean;
  /** False when the workspace has a key but this machine lacks its private half (it can verify, not sign). */
  privateKeyPresent: boolean;
}

export interface InitResult {
  db: string;
  dialect: 'sqlite' | 'postgres';
  created: boolean;
  updated: boolean;
  migrationsApplied: string[];
  settings: Required<WorkspaceSettings>;
  keys: KeyStatus;
}

/**
 * Creates the workspace (schema and settings), or confirms an existing one. Re-running with the same
 * settings changes nothing; different settings on an existing workspace are a conflict (exit 4)
 * unless `force` is given, because licence numbers already issued follow the old pattern.
 */
export async function initWorkspace(target: string, typed: WorkspaceSettings, opts: { force?: boolean; keyFile?: string; reuseKey?: boolean } = {}): Promise<InitResult> {
  // typed as on a Chinese keyboard: ３１０１１５ is 310115, blanks around a name are not part of it
  const given = { ...typed, regionCode: toHalfWidth(typed.regionCode).trim(), authorityName: normalizeText(typed.authorityName) };
  validateSettings(given);
  const settings = withDefaults(given);
  createPrivateDbFile(target);
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
            `工作区已初始化，设置与本次不同：${differs.map((k) => `${LABELS[k]}现为“${current[k] ?? ''}”，本次为“${settings[k] ?? ''}”`).join('；')}。`,
            '如确需修改设置，请加 --force（已发许可证的编号不会改变）。',
          );
        }
      }
      for (const [k, key] of Object.entries(KEYS) as Array<[keyof WorkspaceSettings, string]>) {
        await trx('settings').insert({ key, value: String(settings[k]) }).onConflict('key').merge();
      }
      updated = !created;
    });
    const keys = await ensureKeys(db, resolveKeyFile(target, opts.keyFile), { adopt: !!opts.keyFile || !!opts.reuseKey });
    return { db: redact(target), dialect: isPostgresUrl(target) ? 'postgres' : 'sqlite', created, updated, migrationsApplied, settings, keys };
  } finally {
    await db.destroy();
  }
}

/**
 * Gives the workspace its Ed25519 key pair once: the private key to `keyFile` (0600), the public key
 * to the settings. A key file already at that path (copied from the office's other machine, or left
 * by an interrupted init) is adopted only when asked (`adopt`: --key-file or --reuse-key), never
 * silently: two workspaces sharing one key could vouch for each other's licences. On a workspace that already has a key, a
 * missing private key is reported, not regenerated: a new key would orphan every licence signed so far.
 */
async function ensureKeys(db: Db, keyFile: string, opts: { adopt: boolean }): Promise<KeyStatus> {
  const existing = await readPublicKey(db);
  if (existing) {
    if (!fs.existsSync(keyFile)) return { keyId: existing.keyId, privateKeyFile: keyFile, created: false, privateKeyPresent: false };
    const loaded = loadPrivateKey(keyFile);
    if (loaded.keyId !== existing.keyId) {
      throw new ConflictError(
        `私钥文件“${keyFile}”与工作区登记的公钥（${existing.keyId}）不匹配。`,
        '请使用本工作区初始化时生成的私钥文件（--key-file 或 YIYE_KEY_FILE 指定其路径）。',
      );
    }
    return { keyId: existing.keyId, privateKeyFile: keyFile, created: false, privateKeyPresent: true };
  }
  const adopted = fs.existsSync(keyFile);
  if (adopted && !opts.adopt) {
    throw new ConflictError(
      `私钥文件“${keyFile}”已存在，而本工作区还没有签名密钥：沿用它会让两个工作区共用同一把签名密钥，未自动沿用。`,
      '若它确是本工作区的私钥（例如从办公室另一台机器复制而来），请加 --reuse-key 重新运行 yiye init，或用 --key-file 明确指定它；否则请移走该文件，或用 --key-file 指定新私钥的位置。',
    );
  }
  const key = adopted ? loadPrivateKey(keyFile) : createPrivateKeyFile(keyFile);
  await db.transaction(async (trx) => {
    await trx('settings').insert({ key: PUBLIC_KEY_SETTING, value: publicPem(key.publicKey) }).onConflict('key').merge();
    await trx('settings').insert({ key: KEY_ID_SETTING, value: key.keyId }).onConflict('key').merge();
  });
  await startSignedMarks(db, { keyId: key.keyId, signBytes: (data) => crypto.sign(null, data, key.privateKey).toString('base64url') });
  return { keyId: key.keyId, privateKeyFile: keyFile, created: !adopted, privateKeyPresent: true };
}

/**
 * A new SQLite workspace file is created empty with mode 0600 before SQLite opens it: SQLite then
 * gives its -wal and -shm files the database's own mode, so none of them is readable by other local
 * users (holders' names, codes and addresses are in it). An existing file is left as it is.
 */
function createPrivateDbFile(target: string): void {
  if (isPostgresUrl(target)) return;
  try {
    fs.writeFileSync(target, '', { flag: 'wx', mode: 0o600 });
    fs.chmodSync(target, 0o600);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST' && (err as { code?: string }).code !== 'ENOENT') throw err;
  }
}
