/**
 * A headless Chromium for the browser tests, never downloaded at run time:
 *  1. YIYE_CHROMIUM, if set (a path to any Chromium or Chrome);
 *  2. the Chromium shipped inside the npm package @sparticuz/chromium (a devDependency, pinned): its
 *     executablePath() unpacks the bundled binary to /tmp once. The package is an ES module, so it is
 *     asked in a child process; the environment it sets (fonts, libraries) is passed on to the browser;
 *  3. Debian's `chromium` (/usr/bin/chromium), if installed.
 * A CJK system font (fonts-wqy-microhei or fonts-noto-cjk), when present, is made visible to the
 * bundled Chromium so that screenshots show Chinese; the tests read the page's text, not its pixels,
 * except for the QR code.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';

const FALLBACKS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const CJK_FONTS = ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'];

export interface ChromiumFound {
  executablePath: string;
  args: string[];
  env: Record<string, string>;
  source: string;
}

function sparticuz(): ChromiumFound | null {
  const script = `import('@sparticuz/chromium').then(async (m) => {
    const c = m.default;
    const executablePath = await c.executablePath();
    const env = {};
    for (const k of ['FONTCONFIG_PATH', 'LD_LIBRARY_PATH']) if (process.env[k]) env[k] = process.env[k];
    process.stdout.write(JSON.stringify({ executablePath, args: c.args, env }));
  })`;
  try {
    const out = execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out) as Omit<ChromiumFound, 'source'>;
    if (!fs.existsSync(r.executablePath)) return null;
    const fontDir = r.env.FONTCONFIG_PATH;
    if (fontDir) {
      for (const f of CJK_FONTS) {
        const link = path.join(fontDir, path.basename(f));
        if (fs.existsSync(f) && !fs.existsSync(link)) fs.symlinkSync(f, link);
      }
    }
    return { ...r, source: '@sparticuz/chromium' };
  } catch {
    return null;
  }
}

export function findChromium(): ChromiumFound {
  const given = process.env.YIYE_CHROMIUM;
  if (given) return { executablePath: given, args: [], env: {}, source: 'YIYE_CHROMIUM' };
  const bundled = sparticuz();
  if (bundled) return bundled;
  const system = FALLBACKS.find((f) => fs.existsSync(f));
  if (system) return { executablePath: system, args: [], env: {}, source: system };
  throw new Error('找不到 Chromium：@sparticuz/chromium 无法解压，系统也没有 chromium（可 apt-get install chromium，或设置 YIYE_CHROMIUM）。');
}

/** One headless browser for a whole test file. */
export async function launchBrowser(): Promise<{ browser: Browser; found: ChromiumFound }> {
  const found = findChromium();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const puppeteer = require('puppeteer-core') as typeof import('puppeteer-core');
  // the bundled build's own flags, less those that would make a test lie (no web security) or crash
  const drop = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);
  const args = [...found.args.filter((a) => !drop.has(a) && !a.startsWith('--headless')), '--no-sandbox', '--disable-gpu', '--font-render-hinting=none'];
  const browser = await puppeteer.launch({
    executablePath: found.executablePath,
    headless: 'shell',
    args: [...new Set(args)],
    env: { ...process.env, ...found.env } as Record<string, string>,
  });
  return { browser, found };
}
