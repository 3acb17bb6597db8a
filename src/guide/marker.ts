/**
 * The 同源 record every generated document carries: which industry, which document, the catalog
 * fingerprint it was made from and its date. Markdown: a comment on the first line; HTML: a
 * <meta name="yiye-guide">; Word: the custom document property `yiye-guide` (kept by Word, WPS and
 * LibreOffice when the file is edited and saved).
 */
import fs from 'node:fs';
import yauzl from 'yauzl';
import type { GuideType } from './types';

export const MARKER_NAME = 'yiye-guide';

export interface GuideMarker {
  industry: string;
  type: GuideType;
  fingerprint: string;
  date: string;
}

/** JSON safe inside an HTML comment or attribute (no --, <, >, &). */
export function markerJson(m: GuideMarker): string {
  return JSON.stringify({ industry: m.industry, type: m.type, fingerprint: m.fingerprint, date: m.date })
    .replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/--/g, '-\\u002d');
}

export const markdownMarker = (m: GuideMarker) => `<!-- ${MARKER_NAME} ${markerJson(m)} -->`;

function parseMarker(json: string): GuideMarker | null {
  try {
    const v = JSON.parse(json) as Partial<GuideMarker>;
    return typeof v.industry === 'string' && typeof v.fingerprint === 'string' ? (v as GuideMarker) : null;
  } catch {
    return null;
  }
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e.toLowerCase()],
  );

/** One entry of a zip package as text, or null when it is not there. */
export function readZipEntry(file: string, entryName: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      let found = false;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== entryName) return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => {
        if (!found) resolve(null);
      });
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The marker of a generated .md, .html or .docx file; null when it has none (not ours, or stripped). */
export async function readMarker(file: string): Promise<GuideMarker | null> {
  if (file.endsWith('.docx')) {
    const xml = await readZipEntry(file, 'docProps/custom.xml').catch(() => null);
    const m = xml && new RegExp(`name="${MARKER_NAME}"[^>]*>\\s*<vt:lpwstr>([^<]*)</vt:lpwstr>`).exec(xml);
    return m ? parseMarker(unescapeXml(m[1])) : null;
  }
  // the marker is near the top: read only the head of the file
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8');
    const m = file.endsWith('.md')
      ? new RegExp(`<!--\\s*${MARKER_NAME}\\s+(\\{.*?\\})\\s*-->`).exec(head)
      : new RegExp(`<meta name="${MARKER_NAME}" content="([^"]*)"`).exec(head);
    return m ? parseMarker(file.endsWith('.md') ? m[1] : unescapeXml(m[1])) : null;
  } finally {
    await fd.close();
  }
}
