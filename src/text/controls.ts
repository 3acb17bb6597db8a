/**
 * Control characters in imported text (issue 18). A cell pasted from a PDF can carry U+0001 or
 * U+000B, which make every .docx built from it ill-formed XML; a hostile cell can carry terminal
 * escape sequences (ESC [31m, OSC-8 links, OSC 52 clipboard writes) or bidi overrides (U+202E makes
 * `D‮gpj.exe店` display as `D店exe.jpg`). None of them is ever part of a name, a code or an address.
 *
 * - `stripControls` / `stripControlCells`: what every imported cell passes through (src/io/read-rows.ts):
 *   C0 and C1 controls and DEL are dropped except tab, LF and CR; so are the invisible format and bidi
 *   controls (U+061C, U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069, U+FEFF).
 * - `terminalSafe`: what every line printed to a terminal passes through (src/cli/base.ts): anything
 *   still unprintable (from a database written by an older yiye, or by hand) is shown escaped, `\x1B`,
 *   `\u202E`, never sent raw.
 */

const DROP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const HAS_DROP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;

/** `s` without control, format and bidi characters (tab, LF and CR kept). */
export function stripControls(s: string): string {
  return HAS_DROP.test(s) ? s.replace(DROP, '') : s;
}

/**
 * Strips every text cell of a row in place; returns the 0-based columns that changed (empty when
 * none did: one regex test per text cell).
 */
export function stripControlCells(cells: unknown[]): number[] {
  const changed: number[] = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (typeof c !== 'string' || !HAS_DROP.test(c)) continue;
    cells[i] = c.replace(DROP, '');
    changed.push(i);
  }
  return changed;
}

// Printed as is: tab and LF (the formatters' own layout). Everything else unprintable is escaped,
// CR included (it would move the cursor back over what was printed), and the line/paragraph separators.
const UNPRINTABLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const escapeChar = (c: string) => {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${n.toString(16).toUpperCase().padStart(4, '0')}`;
};

/** Text safe to write to a terminal: unprintable characters shown as `\x1B` / `\u202E`. */
export function terminalSafe(s: string): string {
  return s.replace(UNPRINTABLE, escapeChar);
}

/** Text safe inside XML 1.0 (docx parts): characters XML forbids are dropped. */
export function xmlChars(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}
