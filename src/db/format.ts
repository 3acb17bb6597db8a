import { STATUS_LABEL } from '../license/types';
import type { BackupResult, DbCounts, DbStatus, RestoreResult } from './admin';

// the register's one set of status words (STATUS_LABEL), as show, history, list and verify print them
const STATUS_NAMES: Record<string, string> = STATUS_LABEL;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function countLines(c: DbCounts): string[] {
  const n = (v: number | null) => (v === null ? '—' : String(v));
  const lic = c.licenses === null ? '—' : Object.entries(c.licenses).map(([s, k]) => `${STATUS_NAMES[s] ?? s} ${k}`).join('，') || '0';
  return [
    `试点行业 ${n(c.industries)}，许可事项 ${n(c.matters)}，改革任务 ${n(c.tasks)}`,
    `许可证：${lic}`,
    `审计日志：许可证事件 ${n(c.licenseEvents)} 条，目录导入 ${n(c.imports)} 次`,
  ];
}

export function formatDbStatus(s: DbStatus): string {
  const lines = [s.kind === 'sqlite' ? `SQLite 工作区：${s.target}` : `PostgreSQL 工作区：${s.target}`];
  if (s.sqlite) {
    lines.push(`文件大小 ${formatBytes(s.sqlite.bytes)}（预写日志 ${formatBytes(s.sqlite.walBytes)}），journal_mode=${s.sqlite.journalMode}，synchronous=${s.sqlite.synchronous}`);
  }
  if (s.postgres) {
    lines.push(`服务器 ${s.postgres.serverVersion.split(' on ')[0].split(',')[0]}，数据库大小 ${formatBytes(s.postgres.databaseBytes)}`);
    const p = s.postgres;
    lines.push(
      p.pgDumpVersion === null
        ? `本机 PATH 中没有 pg_dump（备份须用主版本不低于 ${p.serverMajor} 的 pg_dump）`
        : `本机 ${p.pgDumpVersion}${p.pgDumpUsable ? '，可用于备份' : `，低于服务器主版本 ${p.serverMajor}，不能用于备份：请安装 ${p.serverMajor} 或更新版本的客户端`}`,
    );
  }
  if (!s.initialised) {
    lines.push('尚未初始化为 yiye 工作区：请运行 yiye init。');
    return lines.join('\n');
  }
  lines.push(`迁移：已执行 ${s.migrations.applied.length} 个（最新 ${s.migrations.applied[s.migrations.applied.length - 1]}）`);
  if (s.migrations.pending.length) lines.push(`待执行 ${s.migrations.pending.length} 个：${s.migrations.pending.join('、')}（下次运行任一 yiye 命令时自动执行）`);
  else lines.push('无待执行的迁移。');
  lines.push(...countLines(s.counts));
  lines.push(keyLine(s));
  return lines.join('\n');
}

function keyLine(s: DbStatus): string {
  const k = s.key;
  if (!k.keyId) return '签名密钥：工作区尚未生成（运行 yiye init）。';
  return k.present
    ? `签名密钥 ${k.keyId}：本机私钥在“${k.file}”`
    : `签名密钥 ${k.keyId}：本机没有私钥（已查找 ${k.searched.map((f) => `“${f}”`).join('、')}）；发证前请把 init 时生成的私钥复制为“${k.searched[0]}”（权限 600）`;
}

export function formatBackup(r: BackupResult): string {
  return [`已备份至 ${r.file}（${formatBytes(r.bytes)}，integrity_check 通过）`, `SHA-256 ${r.sha256}`, r.keyFileNote].join('\n');
}

export function formatRestore(r: RestoreResult): string {
  return [
    `已从 ${r.file} ${r.replaced ? '恢复并替换' : '恢复'}工作区 ${r.target}（${formatBytes(r.bytes)}）`,
    `备份 SHA-256 ${r.sha256}`,
    r.migrationsApplied.length ? `已执行备份之后新增的迁移：${r.migrationsApplied.join('、')}` : '数据库结构已是最新。',
    ...countLines(r.counts),
    '提示：签名私钥不在备份中；请确认私钥文件在原位（默认为工作区文件名加 .key.pem），并运行 yiye audit verify 核对审计日志。',
  ].join('\n');
}
