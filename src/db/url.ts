/**
 * postgres:// addresses as people type them: the password may hold `@`, `#`, `%`, `/` or `:`.
 * WHATWG URL parsing (and so the driver's) cuts such an address in the wrong place — a `#` starts a
 * fragment, an `@` ends the user part early — so printing and checking use a parser of their own
 * that splits at the LAST `@` before the host, and never needs the address to be well-formed to
 * hide its password.
 */
import { UsageError } from '../cli/errors';

export interface PgAddress {
  scheme: string;
  user: string;
  /** Null when the address carries no password (it may come from PGPASSWORD or ~/.pgpass). */
  password: string | null;
  /** host[:port]/database?query as typed. */
  rest: string;
  host: string;
  port: string;
  database: string;
}

const SCHEME = /^(postgres(?:ql)?:\/\/)/i;

/** Splits a postgres:// address without decoding anything; null for anything else. */
export function splitPgUrl(target: string): PgAddress | null {
  const m = SCHEME.exec(target);
  if (!m) return null;
  const body = target.slice(m[1].length);
  // the user part ends at the last @ that comes before the path's first slash after it
  const at = lastUserAt(body);
  const userinfo = at < 0 ? '' : body.slice(0, at);
  const rest = at < 0 ? body : body.slice(at + 1);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const password = colon < 0 ? null : userinfo.slice(colon + 1);
  const hostPort = rest.split(/[/?]/)[0];
  const portAt = hostPort.lastIndexOf(':');
  const ipv6 = hostPort.startsWith('[');
  const host = portAt > 0 && (!ipv6 || hostPort.lastIndexOf(']') < portAt) ? hostPort.slice(0, portAt) : hostPort;
  const port = host === hostPort ? '' : hostPort.slice(portAt + 1);
  const pathPart = rest.slice(hostPort.length).split('?')[0];
  return { scheme: m[1], user, password, rest, host, port, database: safeDecode(pathPart.replace(/^\//, '')) };
}

/** The @ that ends the user part: the last one in the address, unless it sits in the query (…?x=a@b). */
function lastUserAt(body: string): number {
  const q = body.indexOf('?');
  const head = q < 0 ? body : body.slice(0, q);
  const at = head.lastIndexOf('@');
  return at;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The address safe to print anywhere (text, --json, errors, logs): the password — in the user part
 * or as a `password=` query parameter — replaced by ***, whatever characters it holds.
 */
export function maskPgUrl(target: string): string {
  const a = splitPgUrl(target);
  if (!a) return target;
  const rest = a.rest.replace(/([?&]password=)[^&]*/gi, '$1***');
  const userinfo = a.password === null ? a.user : `${a.user}:***`;
  return `${a.scheme}${userinfo ? `${userinfo}@` : ''}${rest}`;
}

/** The address with no password at all (for a command to copy: pg_dump then reads PGPASSWORD or ~/.pgpass). */
export function withoutPassword(target: string): string {
  const a = splitPgUrl(target);
  if (!a) return target;
  const rest = a.rest.replace(/([?&])password=[^&]*&?/gi, '$1').replace(/[?&]$/, '');
  return `${a.scheme}${a.user ? `${a.user}@` : ''}${rest}`;
}

/**
 * Refuses (exit 2) an address whose user or password has a character that must be percent-encoded:
 * the driver would otherwise connect to a wrong host ("ENOTFOUND"), as a wrong user, or fail to
 * decode it. Says which character and how to write it.
 */
export function checkPgUrl(target: string): void {
  const a = splitPgUrl(target);
  if (!a) return;
  const userinfo = a.password === null ? a.user : `${a.user}:${a.password}`;
  const bad: string[] = [];
  if (/[@]/.test(userinfo)) bad.push('@ → %40');
  if (/[#]/.test(userinfo) || /#/.test(a.rest)) bad.push('# → %23');
  if (/[/?]/.test(userinfo)) bad.push('/ → %2F，? → %3F');
  if (/%(?![0-9a-f]{2})/i.test(userinfo)) bad.push('% → %25');
  if (!bad.length) return;
  throw new UsageError(
    `数据库地址“${maskPgUrl(target)}”的用户名或密码中含有须编码的特殊字符，无法正确解析（会连到错误的主机或用户）。`,
    `请在 --db / YIYE_DB 中把密码里的特殊字符写成百分号编码：${bad.join('，')}（例如密码 a@b#c 写作 a%40b%23c）；或不在地址中写密码，改用环境变量 PGPASSWORD 或 ~/.pgpass 文件。`,
  );
}
