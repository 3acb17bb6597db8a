/**
 * Output paths. An industry name comes from a department's spreadsheet, so it is made into one safe
 * path component (no separators, no `..`, no characters Windows refuses, no reserved device names)
 * and every path is checked to stay inside --out before anything is written.
 */
import path from 'node:path';
import { normalizeText } from '../text/normalize';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/** One path component for `name`: readable Chinese kept, anything dangerous replaced by _. */
export function safeSegment(name: string): string {
  let s = normalizeText(name)
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[\u0080-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  // file systems limit a component to 255 bytes; a Chinese character takes 3 in UTF-8
  while (Buffer.byteLength(s, 'utf8') > 200) s = s.slice(0, -1);
  return s === '' ? '_' : s;
}

/** `root/...parts`, refusing any result outside `root`. */
export function resolveInside(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const target = path.resolve(base, ...parts);
  const rel = path.relative(base, target);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`path escapes the output folder: ${target}`);
  return target;
}
