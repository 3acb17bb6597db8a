import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { applyOperation, type OperationResult } from '../../src/license/service';
import { formatOperation } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';

export default class LicenseChange extends BaseCommand {
  static override summary = '变更许可证并换发新版 (change a licence: reissue as a new version)';
  static override description = '变更经营者名称、法定代表人（负责人）、经营场所，或增减许可项目；以同一编号换发新版，旧版作废。已撤销、注销、吊销或已过期的许可证不能变更（退出码 4）。';
  static override examples = [
    '<%= config.bin %> license change 3101152026PD-01000001 --premises 浦东新区张杨路88号 --reason 迁址',
    '<%= config.bin %> license change 3101152026PD-01000001 --add-item 酒类商品零售许可 --remove-item 烟草专卖零售许可',
  ];
  static override args = { number: Args.string({ description: '许可证编号 (licence number)', required: true }) };
  static override flags = {
    holder: Flags.string({ summary: '新经营者名称 (new holder name)' }),
    'legal-rep': Flags.string({ summary: '新法定代表人（负责人） (new legal representative)' }),
    premises: Flags.string({ summary: '新经营场所 (new premises)' }),
    'add-item': Flags.string({ summary: '增加的许可项目，可重复 (item to add; repeatable)', multiple: true }),
    'item-permit-no': Flags.string({ summary: '增加项目的单项许可证号，按 --add-item 顺序 (permit numbers of added items)', multiple: true }),
    'item-valid-until': Flags.string({ summary: '增加项目的有效期至，按 --add-item 顺序 (expiry of added items)', multiple: true }),
    'remove-item': Flags.string({ summary: '减少的许可项目，可重复 (item to remove; repeatable)', multiple: true }),
    reason: Flags.string({ summary: '变更原因 (reason)' }),
    date: Flags.string({ summary: '办理日期即新版制证日期，默认今天 (date)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<OperationResult> {
    const { args, flags } = await this.parse(LicenseChange);
    const date = parseDateFlag(flags.date);
    const adds = flags['add-item'] ?? [];
    const addItems = adds.map((name, i) => ({ name, permitNo: flags['item-permit-no']?.[i] ?? null, validUntil: flags['item-valid-until']?.[i] ? parseDateFlag(flags['item-valid-until'][i], '--item-valid-until') : null }));
    return this.withDb(flags.db, async (db) => {
      const r = await applyOperation(
        db,
        { number: args.number, kind: 'change', holderName: flags.holder, legalRep: flags['legal-rep'], premises: flags.premises, addItems, removeItems: flags['remove-item'] ?? [], reason: flags.reason },
        { date, actor: flags.actor, keyFile: resolveKeyFile(flags.db, flags['key-file']) },
      );
      this.log(formatOperation(r));
      return r;
    });
  }
}
