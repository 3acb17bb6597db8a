/**
 * Batches for the fault suites, written into a temp folder at test time and deterministic in their
 * seed: the same seed gives byte-identical files on every machine. CSV only (UTF-8 with BOM, CRLF,
 * as Excel saves it): the suites exercise the database under faults, not the spreadsheet readers,
 * and a CSV is written in milliseconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HEADER as COMBINED_HEADER } from '../../bench/layout';
import { matterAt } from '../../bench/generate';
import { CONDITIONS, DEPARTMENTS, INDUSTRIES as BENCH_INDUSTRIES } from '../../bench/vocab';
import { HEADER as APPLICATION_HEADER, applicationCells, makeApplication } from '../../fixtures/make-license-fixtures';
import { INDUSTRIES as PUDONG_INDUSTRIES, LINKS as PUDONG_LINKS, MATTERS as PUDONG_MATTERS } from '../../fixtures/catalog-data';

import { prng } from '../../bench/prng';

export { prng };

type Cell = string | number | null;

function csvLine(cells: Cell[]): string {
  return cells
    .map((v) => {
      const s = v === null ? '' : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

export function writeCsv(file: string, header: string[], rows: Cell[][]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '\uFEFF' + [header, ...rows].map(csvLine).join('\r\n') + '\r\n');
  return file;
}

// ------------------------------------------------------------------ catalog import

export interface CatalogBatch {
  files: string[];
  industries: number;
  matters: number;
  links: number;
  materials: number;
}

/**
 * A pilot-industry list and a combined catalog (行业 × 事项 with the matter's details on every row) of
 * `matters` matters, each linked to 1–3 industries. Which matters (from the benchmark's vocabulary)
 * and which industries they link to follow the seed.
 */
export function catalogBatch(dir: string, seed: number, matters: number): CatalogBatch {
  const r = prng(seed);
  const industries = BENCH_INDUSTRIES.slice(0, 20);
  const industriesFile = writeCsv(
    path.join(dir, '试点行业清单.csv'),
    ['行业编码', '行业名称', '国民经济行业分类', '牵头部门'],
    industries.map(([name, gb], x) => [`HY${String(x + 1).padStart(3, '0')}`, name, gb, DEPARTMENTS[x % 10][0]]),
  );
  const offset = Math.floor(r() * 50_000);
  const rows: Cell[][] = [];
  let materials = 0;
  for (let i = 0; i < matters; i++) {
    const m = matterAt(offset + i);
    materials += m.materialCount;
    const k = 1 + Math.floor(r() * 3);
    const chosen = new Set<number>();
    while (chosen.size < k) chosen.add(Math.floor(r() * industries.length));
    for (const x of [...chosen].sort((a, b) => a - b)) {
      const cond = r() < 0.5 ? '必办' : CONDITIONS[Math.floor(r() * CONDITIONS.length)];
      rows.push([rows.length + 1, industries[x][0], m.code, m.name, m.department, m.basis, m.mode, m.legal, m.committed, m.onsite, m.commitment, cond, m.materials]);
    }
  }
  const combined = writeCsv(path.join(dir, '行业综合目录.csv'), COMBINED_HEADER, rows);
  return { files: [industriesFile, combined], industries: industries.length, matters, links: rows.length, materials };
}

// ------------------------------------------------------------------ license issue / apply

/**
 * The pudong catalog (fixtures/catalog-data.ts, what fixtures/catalog/pudong holds) as three plain
 * CSVs: the licence templates import these, so the suites depend on neither the xlsx reader nor
 * the GBK detection.
 */
export function pudongCatalog(dir: string): string[] {
  const code = new Map(PUDONG_MATTERS.map((m) => [m.key, m.code]));
  return [
    writeCsv(path.join(dir, '试点行业.csv'), ['行业编码', '行业名称', '国民经济行业分类', '牵头部门'], PUDONG_INDUSTRIES.map((i) => [i.code, i.name, i.gbt, i.lead])),
    writeCsv(path.join(dir, '事项目录.csv'), ['事项编码', '事项名称', '审批层级', '实施部门', '改革方式'], PUDONG_MATTERS.map((m) => [m.code, m.name, m.level, m.approver, m.mode])),
    writeCsv(path.join(dir, '行业事项对应表.csv'), ['行业名称', '事项编码', '办理情形'], PUDONG_LINKS.map((l) => [l.industry, code.get(l.matter)!, l.condition])),
  ];
}

/** Industries of the pudong catalog with codes (fixtures/catalog/pudong) that the batches use. */
export const ISSUE_INDUSTRIES = ['便利店', '超市', '饭店', '书店'];

export interface IssueBatch {
  file: string;
  applicationNos: string[];
  /** licence items the batch carries in all (one license_items row each) */
  items: number;
}

/**
 * `count` valid applications against the pudong catalog; 申请编号 `<prefix>-<seed>`. `seedOf(i)` chooses
 * the i-th application's seed (and so its 申请编号), so several batches can share applications.
 */
export function issueBatch(file: string, prefix: string, count: number, seedOf: (i: number) => number, industryOf: (i: number) => string): IssueBatch {
  const apps = Array.from({ length: count }, (_, i) => {
    const s = seedOf(i);
    return { ...makeApplication(s, { industry: industryOf(i) }), applicationNo: `${prefix}-${s}` };
  });
  // no cell holds a comma, quote or line break (makeApplication's vocabulary): csvLine leaves them bare
  writeCsv(file, APPLICATION_HEADER, apps.map((a, i) => applicationCells(a, i + 1)));
  return { file, applicationNos: apps.map((a) => a.applicationNo), items: apps.reduce((n, a) => n + a.items.length, 0) };
}

export const APPLY_HEADER = ['许可证编号', '操作', '经营者名称', '延续至', '原因'];

export interface ApplyBatch {
  file: string;
  rows: number;
  changes: number;
  renewals: number;
  cancellations: number;
}

/**
 * One lifecycle operation per licence of `numbers` (in a seeded order): a change of 经营者名称, a
 * renewal, or — one in eight — a cancellation. Changes and renewals add a version; a cancellation
 * ends the licence.
 */
export function applyBatch(file: string, seed: number, numbers: string[]): ApplyBatch {
  const r = prng(seed);
  const order = [...numbers];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out: ApplyBatch = { file, rows: order.length, changes: 0, renewals: 0, cancellations: 0 };
  const rows: Cell[][] = order.map((n, i) => {
    const x = r();
    if (x < 0.125) {
      out.cancellations++;
      return [n, '注销', null, null, '经营者申请注销'];
    }
    if (x < 0.5) {
      out.renewals++;
      return [n, '延续', null, `2036-0${1 + (i % 9)}-15`, '到期延续'];
    }
    out.changes++;
    return [n, '变更', `上海故障测试${i}号商贸有限公司`, null, '名称变更'];
  });
  writeCsv(file, APPLY_HEADER, rows);
  return out;
}

// ------------------------------------------------------------------ tasks

export const LEDGER_HEADER = ['序号', '任务编号', '任务', '具体内容', '牵头单位', '配合单位', '完成时限'];

/** A task ledger of `count` tasks coded `F-00001` …, for `tasks import`. */
export function taskLedger(file: string, count: number): string[] {
  const codes = Array.from({ length: count }, (_, i) => `F-${String(i + 1).padStart(5, '0')}`);
  writeCsv(
    file,
    LEDGER_HEADER,
    codes.map((c, i) => [i + 1, c, `改革任务${i + 1}`, `完成第${i + 1}项“一业一证”改革任务。`, DEPARTMENTS[i % DEPARTMENTS.length][0], DEPARTMENTS[(i + 3) % DEPARTMENTS.length][0], `2026年${1 + (i % 12)}月底前`]),
  );
  return codes;
}

export const RETURN_HEADER = ['任务编号', '进展情况', '状态', '完成时间', '填报单位'];

/** A progress return touching every task of `codes`: 已完成 (with a date) or 推进中, chosen by the seed. */
export function progressReturn(file: string, seed: number, codes: string[]): { file: string; rows: number; done: number } {
  const r = prng(seed);
  let done = 0;
  const rows: Cell[][] = codes.map((c, i) => {
    if (r() < 0.3) {
      done++;
      return [c, `第${i + 1}项任务已完成（批次${seed}）。`, '已完成', `2026-0${1 + (i % 9)}-1${i % 10}`, DEPARTMENTS[i % DEPARTMENTS.length][0]];
    }
    return [c, `第${i + 1}项任务正在推进（批次${seed}）。`, '推进中', null, DEPARTMENTS[i % DEPARTMENTS.length][0]];
  });
  writeCsv(file, RETURN_HEADER, rows);
  return { file, rows: rows.length, done };
}
