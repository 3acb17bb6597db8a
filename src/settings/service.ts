import type { Db } from '../db';
import { connect, isPostgresUrl, migrateLatest, migrationStatus, redact } from '../db';
import { ConflictError, InputError } from '../cli/errors';
import { createPrivateKeyFile, findKeyFile, keyCandidates, keyIdOf, parsePublicKey, publicPem, readPrivateKeyFile, resolveKeyFile, workspaceKey } from '../license/keys';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startSignedMarks } from '../audit/service';
import { normalizeText, toHalfWidth } from '../text/normalize';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../text/time';

/** Workspace settings chosen at `yiye init`. */
export interface WorkspaceSettings {
  /** 行政区划代码 (GB/T 2260), six digits, e.g. 310115 浦东新区. */
  regionCode: string;
  /** 发证机关, printed on licences. */
  authorityName: string;
  /** Licence-number pattern: {region} {year} {industry} and {seq:N} (N-digit sequence). */
  licenseNumberPattern: string;
  /** 核验网址: the QR code reads `<this>#<payload>` (see normalizeVerifyUrl), '' for the bare payload. */
  verifyUrlPrefix?: string;
  /** How long a licence lasts when none of its items states an expiry. */
  defaultValidityYears?: number;
  /** IANA time zone of the office: times in text output, offsets in JSON (default Asia/Shanghai). */
  timeZone?: string;
}

export const DEFAULT_NUMBER_PATTERN = '{region}{year}{industry}{seq:6}';
export const DEFAULT_VALIDITY_YEARS = 5;

const KEYS: Record<keyof WorkspaceSettings, string> = {
  regionCode: 'region_code',
  authorityName: 'authority_name',
  licenseNumberPattern: 'license_number_pattern',
  verifyUrlPrefix: 'license_verify_url',
  defaultValidityYears: 'license_validity_years',
  timeZone: 'time_zone',
};

/** How each setting is named to the user, with the init flag that sets it. */
const LABELS: Record<keyof WorkspaceSettings, string> = {
  regionCode: '行政区划代码（--region）',
  authorityName: '发证机关（--authority）',
  licenseNumberPattern: '许可证编号规则（--number-pattern）',
  verifyUrlPrefix: '核验网址（--verify-url）',
  defaultValidityYears: '默认有效期年数（--validity-years）',
  timeZone: '时区（--time-zone）',
};

/** Settings keys of the workspace's public signing key (the private key is a file: src/license/keys.ts). */
export const PUBLIC_KEY_SETTING = 'license_public_key';
export const KEY_ID_SETTING = 'license_key_id';

/** Optional settings filled with their defaults, so that comparing old and new settings is exact. */
function withDefaults(s: WorkspaceSettings): Required<WorkspaceSettings> {
  return { ...s, verifyUrlPrefix: s.verifyUrlPrefix ?? '', defaultValidityYears: s.defaultValidityYears ?? DEFAULT_VALIDITY_YEARS, timeZone: s.timeZone || DEFAULT_TIME_ZONE };
}

/** Checks settings before anything is written; each problem named in Chinese. */
/**
 * The rules for what `init` asks, shared by the flags (validateSettings) and the prompts (checked as
 * typed): the problem with a typed value, or null. Values are taken as initWorkspace takes them —
 * ３１０１１５ is 310115, blanks around a name are not part of it.
 */
export const SETTING_RULES = {
  regionCode: (typed: string): string | null => {
    const v = toHalfWidth(typed).trim();
    return /^\d{6}$/.test(v) ? null : `行政区划代码“${v}”应为 6 位数字（GB/T 2260，如 310115）。`;
  },
  authorityName: (typed: string): string | null => (normalizeText(typed) ? null : '发证机关名称不能为空。'),
};

export function validateSettings(s: WorkspaceSettings): void {
  const region = SETTING_RULES.regionCode(s.regionCode);
  if (region) throw new InputError(region, '用 --region 指定，例如 --region 310115。');
  const authority = SETTING_RULES.authorityName(s.authorityName);
  if (authority) throw new InputError(authority, '用 --authority 指定，例如 --authority 浦东新区人民政府。');
  const pattern = s.licenseNumberPattern;
  const tokens = pattern.match(/\{[^}]*\}/g) ?? [];
  const unknown = tokens.filter((t) => !/^\{(region|year|industry|seq:\d{1,2})\}$/.test(t));
  if (unknown.length) throw new InputError(`许可证编号规则“${pattern}”含有无法识别的占位符：${unknown.join('、')}。`, '可用占位符：{region} 区划代码、{year} 年份、{industry} 行业编码、{seq:6} 6 位流水号。');
  if (!tokens.some((t) => t.startsWith('{seq:'))) throw new InputError(`许可证编号规则“${pattern}”缺少流水号占位符 {seq:N}。`, `例如默认规则 ${DEFAULT_NUMBER_PATTERN}。`);
  const years = s.defaultValidityYears ?? DEFAULT_VALIDITY_YEARS;
  if (!Number.isInteger(years) || years < 1 || years > 30) throw new InputError(`许可证默认有效期“${years}”年不合理，应为 1–30 的整数。`, '用 --validity-years 指定，例如 --validity-years 5。');
  if (s.timeZone && !isTimeZone(s.timeZone)) throw new InputError(`时区“${s.timeZone}”无法识别。`, `请用 IANA 时区名，例如 --time-zone ${DEFAULT_TIME_ZONE}。`);
  checkVerifyUrl(s.verifyUrlPrefix ?? '');
}

/**
 * The verification address (核验网址): the published `license verify-site`. A licence's QR code reads
 * `<address>#<signed payload>` — after `#`, so the payload never reaches a server log. The address
 * itself is not signed (the page checks the payload's signature), so it can be set or changed after
 * licences were issued: the next `license print` uses it.
 */
function checkVerifyUrl(url: string): void {
  const hint = '例如 https://zwfw.example.gov.cn/yyyz/（license verify-site 生成的网站发布的地址）。';
  if (!url) return;
  if (!/^https?:\/\/[^\s/?#]+[^\s#]*$/.test(url)) throw new InputError(`核验网址“${url}”应以 http:// 或 https:// 开头，且不含空格或“#”（二维码把签名内容放在“#”之后）。`, hint);
}

/** A typed verification address, as stored: blanks around it dropped, a trailing `#` dropped. */
export function normalizeVerifyUrl(typed: string): string {
  return toHalfWidth(typed).trim().replace(/#$/, '');
}

/** Settings `settings set` changes on an existing workspace, by their user-facing name. */
export const SETTABLE = { 'verify-url': 'verifyUrlPrefix' } as const satisfies Record<string, keyof WorkspaceSettings>;
export type SettableName = keyof typeof SETTABLE;

export interface SettingView {
  /** The name `settings set` and init's flag use. */
  name: string;
  label: string;
  value: string | number;
  settable: boolean;
}

/** Every setting, named as the user types it, for `settings show`. */
export async function showSettings(db: Db): Promise<{ settings: SettingView[]; keyId: string | null }> {
  const s = await readSettings(db);
  const pk = await readPublicKey(db);
  const flagOf = (k: keyof WorkspaceSettings) => /--([\w-]+)/.exec(LABELS[k])![1];
  const settable = new Set<string>(Object.keys(SETTABLE));
  return {
    settings: (Object.keys(KEYS) as Array<keyof WorkspaceSettings>).map((k) => ({ name: flagOf(k), label: LABELS[k].replace(/（.*$/, ''), value: s[k], settable: settable.has(flagOf(k)) })),
    keyId: pk?.keyId ?? null,
  };
}

/** Changes one setting of an existing workspace (an empty value clears an optional one). */
export async function setSetting(db: Db, name: string, typed: string): Promise<{ name: string; from: string; to: string; changed: boolean }> {
  if (!(name in SETTABLE)) {
    throw new InputError(`设置项“${name}”不能用 settings set 修改。`, `可修改：${Object.keys(SETTABLE).join('、')}；行政区划、发证机关、编号规则等请用 yiye init --force。`);
  }
  const current = await readSettings(db);
  if (!current.regionCode) throw new ConflictError('工作区尚未初始化。', '请先运行 yiye init。');
  const key = SETTABLE[name as SettableName];
  const to = normalizeVerifyUrl(typed);
  checkVerifyUrl(to);
  const from = String(current[key] ?? '');
  if (from !== to) await db('settings').insert({ key: KEYS[key], value: to }).onConflict('key').merge();
  return { name, from, to, changed: from !== to };
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
    timeZone: map.get(KEYS.timeZone) ?? DEFAULT_TIME_ZONE,
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
  const given = { ...typed, regionCode: toHalfWidth(typed.regionCode).trim(), authorityName: normalizeText(typed.authorityName), verifyUrlPrefix: normalizeVerifyUrl(typed.verifyUrlPrefix ?? '') };
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
    const { found } = findKeyFile(keyFile, existing.keyId);
    if (!found) return { keyId: existing.keyId, privateKeyFile: keyCandidates(keyFile, existing.keyId)[0], created: false, privateKeyPresent: false };
    readPrivateKeyFile(found, workspaceKey(existing.keyId));
    return { keyId: existing.keyId, privateKeyFile: found, created: false, privateKeyPresent: true };
  }
  const adopted = fs.existsSync(keyFile);
  if (adopted && !opts.adopt) {
    throw new ConflictError(
      `私钥文件“${keyFile}”已存在，而本工作区还没有签名密钥：沿用它会让两个工作区共用同一把签名密钥，未自动沿用。`,
      '若它确是本工作区的私钥（例如从办公室另一台机器复制而来），请加 --reuse-key 重新运行 yiye init，或用 --key-file 明确指定它；否则请移走该文件，或用 --key-file 指定新私钥的位置。',
    );
  }
  const key = adopted ? { ...readPrivateKeyFile(keyFile), file: keyFile } : createPrivateKeyFile(keyFile);
  await db.transaction(async (trx) => {
    await trx('settings').insert({ key: PUBLIC_KEY_SETTING, value: publicPem(key.publicKey) }).onConflict('key').merge();
    await trx('settings').insert({ key: KEY_ID_SETTING, value: key.keyId }).onConflict('key').merge();
  });
  await startSignedMarks(db, { keyId: key.keyId, signBytes: (data) => crypto.sign(null, data, key.privateKey).toString('base64url') });
  return { keyId: key.keyId, privateKeyFile: key.file, created: !adopted, privateKeyPresent: true };
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
