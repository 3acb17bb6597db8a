import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { InputError, NotFoundError, UsageError } from '../cli/errors';
import { showIndustry, type IndustryDetail } from '../catalog/service';
import { readSettings } from '../settings/service';
import { Renderer, toView } from '../render/engine';
import { parseMarkdown } from '../render/markdown';
import { blocksToHtml } from '../render/html';
import { renderDocxMany, type DocxJob } from '../render/docx-pool';
import { isIsoDate, type HolidayCalendar } from '../render/workdays';
import { loadCalendar } from '../calendar/service';
import { buildGuideModel, industryFingerprint } from './model';
import { MARKER_NAME, markdownMarker, markerJson, readMarker, type GuideMarker } from './marker';
import { resolveInside, safeSegment } from './paths';
import { GUIDE_FORMATS, GUIDE_TITLES, GUIDE_TYPES, type GuideFormat, type GuideMetrics, type GuideModel, type GuideType, type GuideWarning } from './types';
import { today } from '../text/dates';

export interface SelectOptions {
  industries?: string[];
  all?: boolean;
}

export interface GenerateOptions extends SelectOptions {
  types?: GuideType[];
  formats?: GuideFormat[];
  templatesDir?: string;
  out: string;
  /** Document date and example acceptance date, YYYY-MM-DD (default: today). */
  date?: string;
  /** Warnings become an error (exit 3) and nothing is written. */
  strict?: boolean;
  onIndustry?: (done: number, total: number) => void;
}

export interface GeneratedFile {
  industry: string;
  type: GuideType;
  format: GuideFormat;
  path: string;
}

export interface GenerateResult {
  out: string;
  date: string;
  industries: number;
  files: GeneratedFile[];
  warnings: GuideWarning[];
}


async function selectIndustries(db: Db, opts: SelectOptions): Promise<string[]> {
  const named = (opts.industries ?? []).map((s) => s.trim()).filter(Boolean);
  if (opts.all && named.length) throw new UsageError('--all 与 --industry 不能同时使用。', '生成全部行业用 --all；只生成某些行业用一个或多个 --industry。');
  if (opts.all) return (await db('industries').orderBy('id').pluck('name')) as string[];
  if (!named.length) throw new UsageError('请指定行业：--industry 行业名称（可重复），或 --all 生成全部行业。', '运行 `yiye catalog list industries` 查看行业名称。');
  return [...new Set(named)];
}

/**
 * The document models of the selected industries (every industry with `all`), built from the
 * catalog and the workspace settings. An unknown industry name is a NotFoundError (exit 3).
 */
export async function loadModels(db: Db, opts: SelectOptions & { date?: string }, calendar?: HolidayCalendar): Promise<GuideModel[]> {
  const date = opts.date ?? today();
  if (!isIsoDate(date)) throw new UsageError(`日期“${date}”格式不对，应为 YYYY-MM-DD。`, '例如 --date 2021-03-31。');
  const names = await selectIndustries(db, opts);
  const settings = await readSettings(db);
  const cal = calendar ?? (await loadCalendar(db));
  const models: GuideModel[] = [];
  for (const name of names) {
    const detail = await showIndustry(db, name);
    models.push(buildGuideModel(detail, { date, authority: settings.authorityName, region: settings.regionCode, calendar: cal }));
  }
  return models;
}

/** The Markdown of one document, with its 同源 marker on the first line. */
export function renderMarkdown(renderer: Renderer, model: GuideModel, type: GuideType, view: unknown = toView(model), calendar?: HolidayCalendar): { markdown: string; body: string; warnings: string[] } {
  const out = renderer.render(type, view, calendar);
  const body = `${out.text.replace(/\n{3,}/g, '\n\n').trim()}\n`;
  const marker = markdownMarker({ industry: model.industry.name, type, fingerprint: model.fingerprint, date: model.date });
  return { markdown: `${marker}\n\n${body}`, body, warnings: out.warnings };
}

/** Output folders for the industries: safe names, made unique when two names clean up alike. */
function folderNames(models: GuideModel[]): Map<GuideModel, string> {
  const used = new Map<string, number>();
  const out = new Map<GuideModel, string>();
  for (const m of models) {
    let name = safeSegment(m.industry.name);
    const n = used.get(name.toLowerCase()) ?? 0;
    used.set(name.toLowerCase(), n + 1);
    if (n > 0) name = `${name}_${safeSegment(m.industry.code ?? String(n + 1))}`;
    out.set(m, name);
  }
  return out;
}

/**
 * Renders every selected document in every selected format and writes them to
 * `out/<industry>/<type>.<ext>`. Templates are loaded (and syntax-checked) before the catalog is read;
 * all documents are rendered in memory before the first file is written, so a template error or
 * `strict` with warnings writes nothing.
 */
export async function generateGuides(db: Db, opts: GenerateOptions): Promise<GenerateResult> {
  const types = opts.types?.length ? [...new Set(opts.types)] : [...GUIDE_TYPES];
  const formats = opts.formats?.length ? [...new Set(opts.formats)] : [...GUIDE_FORMATS];
  const renderer = new Renderer({ templatesDir: opts.templatesDir });
  const outRoot = path.resolve(opts.out);
  if (fs.existsSync(outRoot) && !fs.statSync(outRoot).isDirectory()) throw new InputError(`--out 指向的“${opts.out}”是文件，不是目录。`, '请指定一个目录。');

  const calendar = await loadCalendar(db);
  const models = await loadModels(db, opts, calendar);
  const warnings: GuideWarning[] = models.flatMap((m) => m.warnings);
  for (const f of renderer.ignored) warnings.push({ industry: '', matter: null, code: 'TEMPLATE', message: `模板目录中的 ${path.basename(f)} 不对应任何文书（${GUIDE_TYPES.map((t) => `${t}.hbs`).join('、')}），已忽略。` });

  const folders = folderNames(models);
  const pending: Array<{ file: GeneratedFile; content: string | DocxJob }> = [];
  let done = 0;
  for (const model of models) {
    const view = toView(model);
    const folder = folders.get(model)!;
    for (const type of types) {
      const md = renderMarkdown(renderer, model, type, view, calendar);
      // a date a template computes is within the model's own span, which has warned already
      if (!model.time.approximate) for (const w of md.warnings) warnings.push({ industry: model.industry.name, matter: null, code: 'CALENDAR_RANGE', message: `行业“${model.industry.name}”：${w}` });
      const marker: GuideMarker = { industry: model.industry.name, type, fingerprint: model.fingerprint, date: model.date };
      const title = `${model.industry.name}${GUIDE_TITLES[type]}`;
      const blocks = formats.some((f) => f !== 'md') ? parseMarkdown(md.body) : [];
      for (const format of formats) {
        const file: GeneratedFile = { industry: model.industry.name, type, format, path: resolveInside(outRoot, folder, `${type}.${format}`) };
        const content =
          format === 'md' ? md.markdown : format === 'html' ? blocksToHtml(blocks, { title, meta: { [MARKER_NAME]: markerJson(marker) } }) : { blocks, title, date: model.date, properties: { [MARKER_NAME]: markerJson(marker) } };
        pending.push({ file, content });
      }
    }
    opts.onIndustry?.(++done, models.length);
  }
  // one warning per industry and text: the same problem in two industries is two warnings
  const seen = new Set<string>();
  const unique = warnings.filter((w) => {
    const key = `${w.industry}\u0000${w.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  if (opts.strict && unique.length) {
    throw new InputError(`有 ${unique.length} 条警告（--strict）：${unique.slice(0, 5).map((w) => w.message.replace(/。$/, '')).join('；')}${unique.length > 5 ? '……' : ''}`, strictHint(unique), { warnings: unique }, 'GUIDE_WARNINGS');
  }
  // Word files are built before anything is written, so a failure leaves no half-written set.
  const docxJobs = pending.map((p) => p.content).filter((c): c is DocxJob => typeof c !== 'string');
  const docx = await renderDocxMany(docxJobs);
  let k = 0;
  const contents = pending.map((p) => (typeof p.content === 'string' ? p.content : docx[k++]));
  for (const folder of new Set(folders.values())) {
    const dir = resolveInside(outRoot, folder);
    if (fs.existsSync(dir) && fs.lstatSync(dir).isSymbolicLink()) throw new InputError(`输出目录中的“${folder}”是符号链接，拒绝写入。`, '删除该链接或换一个 --out 目录。');
    await fs.promises.mkdir(dir, { recursive: true });
  }
  await Promise.all(pending.map((p, i) => fs.promises.writeFile(p.file.path, contents[i])));
  return { out: outRoot, date: models[0]?.date ?? opts.date ?? today(), industries: models.length, files: pending.map((p) => p.file), warnings: unique };
}

/** What to do about the warnings --strict refused: holiday data, the catalog, the templates, as the warnings say. */
export function strictHint(warnings: GuideWarning[]): string {
  const parts: string[] = [];
  const years = [...new Set(warnings.flatMap((w) => (w.code === 'CALENDAR_RANGE' ? (w.years ?? []) : [])))].sort((a, b) => a - b);
  const calendar = warnings.filter((w) => w.code === 'CALENDAR_RANGE');
  if (calendar.length) {
    const industries = new Set(calendar.map((w) => w.industry)).size;
    parts.push(`${industries} 个行业缺少${years.length ? ` ${years.join('、')} 年的` : ''}节假日安排：用 \`yiye calendar import <国务院办公厅通知或表格>\` 导入该年安排（或用 --date 指定有数据的日期）`);
  }
  if (warnings.some((w) => w.code !== 'CALENDAR_RANGE' && w.code !== 'TEMPLATE')) parts.push('补全目录中缺少的内容（yiye catalog import）');
  if (warnings.some((w) => w.code === 'TEMPLATE')) parts.push('整理模板目录');
  return `${parts.join('；')}，然后重新生成；或去掉 --strict。`;
}

/**
 * Per industry, the reform's effect as seed 000 asks to report it: materials, days, approvals,
 * inspections and windows before and after bundling. All bundled matters count (every option ticked);
 * matters whose approval is cancelled do not.
 */
export async function guideMetrics(db: Db, opts: { industry?: string } = {}): Promise<GuideMetrics[]> {
  const models = await loadModels(db, opts.industry ? { industries: [opts.industry] } : { all: true });
  return models.map((m) => m.metrics);
}

export interface CheckResult {
  stale: Array<{ industry: string; file: string; reason: string }>;
  current: number;
  /** .md/.html/.docx files without a yiye marker (not generated by yiye, or the marker was removed). */
  unmarked: string[];
}

function listDocuments(dir: string, depth = 0): string[] {
  if (depth > 3) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listDocuments(p, depth + 1));
    else if (e.isFile() && /\.(md|html|docx)$/.test(e.name) && !e.name.startsWith('~$')) out.push(p);
  }
  return out;
}

/**
 * Compares every generated document under `dir` with the catalog now: a document whose industry's
 * fingerprint changed, or whose industry is gone, is stale. Files are reported relative to `dir`.
 */
export async function checkGuides(db: Db, dir: string): Promise<CheckResult> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new InputError(`目录不存在：${dir}`, '指定 `yiye guide generate --out` 写入的目录。');
  const fingerprints = new Map<string, string | null>();
  const result: CheckResult = { stale: [], current: 0, unmarked: [] };
  for (const file of listDocuments(root)) {
    const rel = path.relative(root, file);
    const marker = await readMarker(file).catch(() => null);
    if (!marker) {
      result.unmarked.push(rel);
      continue;
    }
    if (!fingerprints.has(marker.industry)) {
      let detail: IndustryDetail | null = null;
      try {
        detail = await showIndustry(db, marker.industry);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
      fingerprints.set(marker.industry, detail ? industryFingerprint(detail) : null);
    }
    const now = fingerprints.get(marker.industry);
    if (now === null) result.stale.push({ industry: marker.industry, file: rel, reason: '该行业已不在目录中' });
    else if (now !== marker.fingerprint) result.stale.push({ industry: marker.industry, file: rel, reason: `行业目录已变更（生成时 ${marker.fingerprint}，现为 ${now}），请重新生成` });
    else result.current++;
  }
  return result;
}
