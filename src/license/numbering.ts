/**
 * 许可证编号 from the pattern chosen at `yiye init` (default `{region}{year}{industry}{seq:6}`).
 * The sequence runs per year and per industry only when the pattern shows them; otherwise two
 * industries (or years) would print the same number.
 */
export interface NumberPattern {
  pattern: string;
  perYear: boolean;
  perIndustry: boolean;
  seqWidth: number;
}

export function parsePattern(pattern: string): NumberPattern {
  const m = /\{seq:(\d{1,2})\}/.exec(pattern);
  return { pattern, perYear: pattern.includes('{year}'), perIndustry: pattern.includes('{industry}'), seqWidth: m ? Number(m[1]) : 6 };
}

/** The sequence a licence of this industry and year draws from: [year, industry id], 0 for "any". */
export function sequenceKey(p: NumberPattern, year: number, industryId: number): [number, number] {
  return [p.perYear ? year : 0, p.perIndustry ? industryId : 0];
}

/** Largest sequence number the pattern can print. */
export function maxSeq(p: NumberPattern): number {
  return 10 ** p.seqWidth - 1;
}

export function formatNumber(p: NumberPattern, parts: { region: string; year: number; industryCode: string; seq: number }): string {
  return p.pattern
    .replace(/\{region\}/g, parts.region)
    .replace(/\{year\}/g, String(parts.year))
    .replace(/\{industry\}/g, parts.industryCode)
    .replace(/\{seq:(\d{1,2})\}/g, (_, w: string) => String(parts.seq).padStart(Number(w), '0'));
}
