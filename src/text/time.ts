/**
 * Moments (ISO-8601 UTC as stored: `2026-12-06T01:59:31.550Z`) shown where the office is: text output
 * in the workspace's time zone (`2026-12-06 09:59:31`), JSON in ISO 8601 with that zone's offset
 * (`2026-12-06T09:59:31.550+08:00`). The zone: YIYE_TZ, else the workspace setting (`yiye init
 * --time-zone`), else Asia/Shanghai.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

let workspaceZone: string | undefined;

/** The workspace's setting, read when a command opens it (src/cli/base.ts). */
export function setWorkspaceTimeZone(zone: string | undefined): void {
  workspaceZone = zone || undefined;
}

export function timeZone(): string {
  return process.env.YIYE_TZ?.trim() || workspaceZone || DEFAULT_TIME_ZONE;
}

/** True when the name is an IANA time zone this Node knows (Asia/Shanghai, UTC, Asia/Urumqi …). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts of `d` in `zone`, and the zone's offset from UTC then, in minutes. */
function partsIn(d: Date, zone: string): { y: string; mo: string; da: string; h: string; mi: string; s: string; offset: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value])) as Record<string, string>;
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const offset = Math.round((wall - Math.floor(d.getTime() / 1000) * 1000) / 60000);
  return { y: p.year, mo: p.month, da: p.day, h: p.hour, mi: p.minute, s: p.second, offset };
}

function toDate(at: string | Date): Date | null {
  const d = at instanceof Date ? at : new Date(at);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** For text output: `2026-12-06 09:59:31` in the workspace's zone (a non-time is returned as it is). */
export function localTime(at: string | Date | null | undefined, zone = timeZone()): string {
  if (at === null || at === undefined || at === '') return '';
  const d = toDate(at);
  if (!d) return String(at);
  const p = partsIn(d, zone);
  return `${p.y}-${p.mo}-${p.da} ${p.h}:${p.mi}:${p.s}`;
}

/** For JSON: ISO 8601 with the zone's offset, `2026-12-06T09:59:31.550+08:00` (the same moment as the stored UTC text). */
export function isoLocal(at: string | Date, zone?: string): string;
export function isoLocal(at: string | Date | null | undefined, zone?: string): string | null;
export function isoLocal(at: string | Date | null | undefined, zone = timeZone()): string | null {
  if (at === null || at === undefined || at === '') return null;
  const d = toDate(at);
  if (!d) return String(at);
  const p = partsIn(d, zone);
  const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
  const sign = p.offset < 0 ? '-' : '+';
  const abs = Math.abs(p.offset);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${p.y}-${p.mo}-${p.da}T${p.h}:${p.mi}:${p.s}.${ms}${off}`;
}

/** Today's date in the workspace's zone, compact (20261206), for default ids such as 申请编号. */
export function localDateCompact(at: Date = new Date(), zone = timeZone()): string {
  const p = partsIn(at, zone);
  return `${p.y}${p.mo}${p.da}`;
}
