/**
 * `license issue --interactive`: a window clerk takes one application at the counter. The answers
 * become a one-row application file (kept in a folder the office chooses, so the audit log's file
 * name and sha256 point at something real) and that file is issued by the same `issueLicenses` as
 * a batch — one set of rules, one numbering, one audit trail, idempotent by 申请编号.
 *
 * The questions go through the `Asker` interface, not inquirer directly: the command passes
 * @inquirer/prompts (src/cli/prompt, in Chinese), tests pass scripted answers or drive inquirer
 * through streams.
 */
import { localTime } from '../text/time';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { UsageError } from '../cli/errors';
import type { Asker } from '../cli/prompt';
import { resolveInside, safeSegment } from '../guide/paths';
import { writeCsv } from '../io/write';
import { normalizeText } from '../text/normalize';
import { parseDateValue } from '../text/dates';
import { CatalogIndex, type CatalogIndustry, type CatalogMatter } from './store';
import { ISSUE_FIELDS, type IssueField } from './issue';
import { typedUscc, validateUscc } from './uscc';

export type { Asker, Choice } from '../cli/prompt';

export interface Counter {
  /** 制证日期, for the default 申请编号 and the expiry check. */
  date: string;
  /** Folder the application file is written to. */
  saveDir: string;
  /** Clock for the default 申请编号 (tests fix it). */
  now?: () => Date;
}

/** One application as the clerk confirmed it, in the batch file's columns. */
export type Application = Record<IssueField, string>;

const required = (label: string) => (v: string) => (normalizeText(v) ? true : `请填写${label}。`);

/** What a clerk sees for a bundled matter: its name and, for a conditional one, when it applies. */
function matterLabel(m: CatalogMatter, link: { mandatory: boolean; condition: string | null }): string {
  if (link.mandatory) return `${m.name}（必办）`;
  return link.condition ? `${m.name}（${link.condition}）` : m.name;
}

/** CK + the moment in the workspace's time zone (src/text/time.ts), e.g. CK20261206095931. */
function defaultApplicationNo(now: Date): string {
  return `CK${localTime(now).replace(/\D/g, '')}`;
}

/**
 * Asks the clerk for one application: industry and items chosen from the catalog (mandatory
 * matters always included, conditional ones ticked), the 统一社会信用代码 checked as typed, then a
 * summary to confirm. Returns null when the clerk does not confirm.
 */
export async function askApplication(db: Db, ask: Asker, counter: Counter): Promise<Application | null> {
  const catalog = await CatalogIndex.load(db);
  const industries = catalog.industries.filter((i) => i.links.size > 0);
  if (industries.length === 0) {
    throw new UsageError('目录中没有配置了许可事项的试点行业，无法受理。', '请先用 `yiye catalog import` 导入试点行业、事项目录和行业事项对应表。');
  }
  const exceptions = new Set<string>((await db('uscc_exceptions').pluck('code')) as string[]);

  const industry: CatalogIndustry = await ask.select({
    message: '行业类别（试点行业）',
    choices: industries.map((i) => ({ name: i.code ? `${i.name}（${i.code}）` : i.name, value: i })),
    pageSize: 15,
  });
  const links = [...industry.links.entries()].sort((a, b) => a[1].seq - b[1].seq).map(([id, link]) => ({ matter: catalog.matters.get(id)!, link }));
  const mandatory = links.filter((l) => l.link.mandatory).map((l) => l.matter);
  const optional = links.filter((l) => !l.link.mandatory);
  let chosen: CatalogMatter[] = [];
  if (optional.length > 0) {
    chosen = await ask.checkbox({
      message: `许可项目：${mandatory.length ? `必办 ${mandatory.map((m) => m.name).join('、')} 已含；` : ''}请勾选本次申请涉及的其他事项`,
      choices: optional.map((l) => ({ name: matterLabel(l.matter, l.link), value: l.matter })),
      pageSize: 15,
    });
  }
  const items = [...mandatory, ...chosen];
  if (items.length === 0) throw new UsageError(`行业“${industry.name}”没有选中任何许可项目，未受理。`, '至少勾选一项许可事项。');

  const holderName = await ask.input({ message: '经营者名称', validate: required('经营者名称') });
  const uscc = await ask.input({
    message: '统一社会信用代码（18 位）',
    validate: (v) => {
      const res = validateUscc(typedUscc(v), exceptions);
      return res.ok ? true : res.message;
    },
  });
  const legalRep = await ask.input({ message: '法定代表人（负责人）', validate: required('法定代表人（负责人）') });
  const premises = await ask.input({ message: '经营场所', validate: required('经营场所') });

  const permitNos: string[] = [];
  const expiries: string[] = [];
  if (await ask.confirm({ message: '是否录入已持有的单项许可证号和有效期？', default: false })) {
    for (const m of items) {
      permitNos.push(normalizeText(await ask.input({ message: `“${m.name}”单项许可证号（没有则留空）` })));
      expiries.push(
        normalizeText(
          await ask.input({
            message: `“${m.name}”有效期至（YYYY-MM-DD，没有则留空）`,
            validate: (v) => {
              if (!normalizeText(v)) return true;
              const d = parseDateValue(normalizeText(v));
              if (!d) return '请按 YYYY-MM-DD 填写日期，或留空。';
              return d >= counter.date ? true : `有效期至 ${d} 早于制证日期 ${counter.date}。`;
            },
          }),
        ),
      );
    }
  }
  const applicationNo = await ask.input({
    message: '申请编号（同一编号不会重复发证）',
    default: defaultApplicationNo((counter.now ?? (() => new Date()))()),
    validate: (v) => (/^[\w\-]{1,64}$/.test(normalizeText(v)) ? true : '申请编号只能由字母、数字、-、_ 组成，最长 64 位。'),
  });

  const app: Application = {
    applicationNo: normalizeText(applicationNo),
    holderName: normalizeText(holderName),
    uscc: typedUscc(uscc),
    legalRep: normalizeText(legalRep),
    industry: industry.name,
    premises: normalizeText(premises),
    items: items.map((m) => m.name).join('；'),
    permitNos: permitNos.some(Boolean) ? permitNos.join('；') : '',
    itemExpiry: expiries.some(Boolean) ? expiries.map((e) => e || '').join('；') : '',
  };
  const summary = (Object.keys(ISSUE_FIELDS) as IssueField[]).filter((f) => app[f]).map((f) => `${ISSUE_FIELDS[f][0]}：${app[f]}`);
  const ok = await ask.confirm({ message: `请核对：\n  ${summary.join('\n  ')}\n确认发证？`, default: true });
  return ok ? app : null;
}

/**
 * Writes the application as a one-row CSV (UTF-8 with BOM, the batch file's own column names) in
 * `dir`, named by its 申请编号. An existing file with other content is never overwritten.
 */
export async function saveApplication(app: Application, dir: string): Promise<string> {
  await fs.promises.mkdir(dir, { recursive: true });
  const fields = Object.keys(ISSUE_FIELDS) as IssueField[];
  // named like every output path: CON, NUL, "../x" or a separator in the 申请编号 cannot name a device or leave `dir`
  const file = resolveInside(dir, `${safeSegment(app.applicationNo)}.csv`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeCsv(tmp, fields.map((f) => ISSUE_FIELDS[f][0]), [fields.map((f) => app[f])]);
  if (fs.existsSync(file)) {
    const same = (await fs.promises.readFile(file)).equals(await fs.promises.readFile(tmp));
    await fs.promises.rm(tmp);
    if (!same) {
      throw new UsageError(`申请文件“${file}”已存在且内容不同：申请编号“${app.applicationNo}”已被另一份申请使用。`, '请换一个申请编号重新受理，或用 `yiye license issue 该文件` 处理原申请。');
    }
    return file;
  }
  await fs.promises.rename(tmp, file);
  return file;
}
