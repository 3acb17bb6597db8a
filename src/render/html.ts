/**
 * One self-contained HTML file from the Markdown blocks: inline CSS only (no fonts, scripts or
 * images fetched from anywhere), laid out for printing on A4 the way GB/T 9704 sets an official
 * document (margins 37/35/28/26 mm, title 2号 小标宋, body 3号 仿宋, headings 黑体 then 楷体), with
 * table rows that do not split across pages and a header row repeated on each page. Every piece of
 * text is HTML-escaped: the blocks carry text, never markup.
 */
import type { Block, Span } from './markdown';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const spans = (list: Span[]): string =>
  list.map((s) => (s.br ? '<br>' : s.bold ? `<strong>${escapeHtml(s.text)}</strong>` : escapeHtml(s.text))).join('');

const CSS = `
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
:root {
  --fangsong: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "STFangsong", "仿宋", "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", serif;
  --heiti: "SimHei", "黑体", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  --kaiti: "KaiTi_GB2312", "楷体_GB2312", "KaiTi", "STKaiti", "楷体", "Noto Serif CJK SC", serif;
  --xiaobiaosong: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "方正小标宋_GBK", "SimSun", "宋体", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", serif;
}
html { background: #f4f4f4; }
body { font-family: var(--fangsong); font-size: 16pt; line-height: 28pt; color: #000; max-width: 156mm; margin: 12mm auto; padding: 20mm 24mm; background: #fff; }
h1 { font-family: var(--xiaobiaosong); font-size: 22pt; line-height: 1.5; font-weight: normal; text-align: center; margin: 0 0 28pt; }
h2 { font-family: var(--heiti); font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
h3 { font-family: var(--kaiti); font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
h4, h5, h6 { font-family: var(--fangsong); font-size: 16pt; font-weight: bold; margin: 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.right { text-align: right; text-indent: 0; }
p.center { text-align: center; text-indent: 0; }
ol, ul { margin: 0; padding-left: 4em; }
ul.options { list-style: none; padding-left: 2em; }
table { width: 100%; border-collapse: collapse; margin: 8pt 0; font-size: 12pt; line-height: 1.5; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top; text-align: left; }
th { font-family: var(--heiti); font-weight: normal; text-align: center; }
hr { border: 0; border-top: 1px solid #000; margin: 14pt 0; }
h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
@media print {
  html { background: none; }
  body { max-width: none; margin: 0; padding: 0; }
}
`;

/** A complete HTML document; `meta` becomes <meta name="yiye-…"> tags (the catalog fingerprint). */
export function blocksToHtml(blocks: Block[], opts: { title: string; meta?: Record<string, string> }): string {
  const body: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading': {
        const level = Math.min(b.level, 6);
        body.push(`<h${level}>${spans(b.spans)}</h${level}>`);
        break;
      }
      case 'paragraph':
        body.push(b.align === 'left' ? `<p>${spans(b.spans)}</p>` : `<p class="${b.align}">${spans(b.spans)}</p>`);
        break;
      case 'list': {
        const task = !b.ordered && b.items.every((i) => i.task);
        const tag = b.ordered ? 'ol' : 'ul';
        const items = b.items.map((i) => `<li>${i.task ? '☐ ' : ''}${spans(i.spans)}</li>`).join('\n');
        body.push(`<${tag}${task ? ' class="options"' : ''}>\n${items}\n</${tag}>`);
        break;
      }
      case 'table': {
        const head = `<thead><tr>${b.header.map((c) => `<th>${spans(c)}</th>`).join('')}</tr></thead>`;
        const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${spans(c)}</td>`).join('')}</tr>`).join('\n');
        body.push(`<table>\n${head}\n<tbody>\n${rows}\n</tbody>\n</table>`);
        break;
      }
      case 'rule':
        body.push('<hr>');
        break;
    }
  }
  const meta = Object.entries(opts.meta ?? {})
    .map(([k, v]) => `<meta name="${escapeHtml(k)}" content="${escapeHtml(v)}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${meta}
<title>${escapeHtml(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
