import type { CalendarImportResult, CalendarYear } from './service';

const STATUS = { added: '已导入', replaced: '已替换原有安排', unchanged: '与已导入的相同，未作修改' };

export function formatCalendarImport(r: CalendarImportResult): string {
  const lines = [`${r.dryRun ? '试运行：' : ''}节假日安排（${r.form === 'notice' ? '通知原文' : '表格'}）“${r.file}”：`];
  for (const y of r.years) lines.push(`  ${y.year} 年：休息日 ${y.offDays} 天，调休上班日 ${y.workDays} 天 —— ${r.dryRun ? (y.status === 'unchanged' ? STATUS.unchanged : '可导入') : STATUS[y.status]}`);
  if (r.outside.length) lines.push(`  另有 ${r.outside.length} 个日期属于其他年份，未导入：${r.outside.join('、')}（该年的安排请单独导入）`);
  if (!r.dryRun) lines.push('此后推算办理日期（yiye guide generate）时，这些年份按导入的安排计算工作日。');
  return lines.join('\n');
}

export function formatCalendarYear(c: CalendarYear): string {
  const head =
    c.source === 'imported'
      ? `${c.year} 年节假日安排：导入自“${c.importedFrom}”（${c.importedAt?.slice(0, 10)}），工作日 ${c.workdays} 天。`
      : c.source === 'bundled'
        ? `${c.year} 年节假日安排：内置数据（chinese-days），工作日 ${c.workdays} 天。`
        : `${c.year} 年没有节假日数据（有数据的年份：${c.knownYears}）：推算日期时只扣除周末，共 ${c.workdays} 个非周末日。用 \`yiye calendar import <文件>\` 导入国务院办公厅公布的该年安排。`;
  if (c.source === 'none') return head;
  const lines = [head];
  for (const d of c.days) lines.push(`  ${d.date}  ${d.kindLabel}${d.name ? `（${d.name}）` : ''}`);
  if (c.days.length === 0) lines.push('  （全年没有节假日或调休，只按周末计算）');
  return lines.join('\n');
}
