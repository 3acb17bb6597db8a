/**
 * Generators for the free-text fuzz tests: the strings departments and plans actually contain
 * (Chinese, full-width forms, numbering markers, brackets, date phrases) mixed with anything at all.
 * Every property runs seeded, so a failure prints a seed and path that replay it exactly.
 */
import fc from 'fast-check';

/** Seeded, modest runs: the whole fuzz suite takes seconds. Override with FUZZ_RUNS for a long soak. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
export const params = (seed: number, numRuns = RUNS): fc.Parameters<unknown> => ({ seed, numRuns });

const HAN = '一二三四五六七八九十年月日底前起初旬季度上下半每定期长持续推进行业许可事项食品经营证照分离改革牵头配合单位部门责任市区县政府办公厅审改办营业执照复印件原件副本加盖公章申请书表材料《》';

export const han = fc.constantFrom(...HAN);

/** Pieces plans and catalogs are made of: numbering markers, brackets, deadline words, separators. */
export const TOKENS = [
  '一、', '二、', '十二、', '（一）', '（二）', '(三)', '1.', '2.', '12.', '1、', '①', '②', '（1）', '(2)',
  '（牵头单位：', '牵头部门：', '配合单位：', '责任单位:', '）', '）', '(', ')', '（', '【', '】', '[', ']',
  '。', '；', ';', '，', ',', '、', '：', ':', '\n', '\r\n', '\t', ' ', '\u3000', '\u00a0', '\u200b', '\ufeff',
  '2021年', '3月', '底前', '31日', '前', '之前', '止', '2021年3月底前', '11月25前', '自2021年3月1日起', '每季度', '长期坚持', '上半年', '一季度', '年底前',
  '2021-03-31', '2021/3/31', '２０２１年', '６月底前', '4.5', '第3.5条', '99999', '0月0日', '13月32日', '二月三十日',
  '报送', '于6月20日、9月20日前报送市审改办', '序号 主要任务 重点内容 责任单位', '发布日期 | 2020-10-12', '2021年1月7日',
  '原件及复印件', '（加盖公章）', '《营业执照》', '（副本）', '扫描件', '的', '\uFFFD', '?', '？', '{{', '}}', '<script>', '=', '../',
  'ＩＣＰ', 'ａｂｃ', '１２３', '！', '～',
];

/** Text built from the tokens and single Chinese characters: the shapes the parsers branch on. */
export const planLike = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 3, arbitrary: fc.string({ unit: han, maxLength: 8 }) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength: 40 })
  .map((parts) => parts.join(''));

/** Any string at all, including lone surrogates and control characters, or a plan-like one. */
export const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 }), planLike);
