import { Args, Flags } from '@oclif/core';
import fs from 'node:fs';
import path from 'node:path';
import { BaseCommand } from '../../src/cli/base';
import { isPostgresUrl } from '../../src/db';
import { verifyLicense, type VerifyResult } from '../../src/license/service';
import { formatVerify } from '../../src/license/format';
import { parseDateFlag } from '../../src/license/flags';

export default class LicenseVerify extends BaseCommand {
  static override summary = '核验许可证二维码内容或编号 (verify a licence QR payload or number)';
  static override description =
    '先用公钥离线核验签名（任何一个字节被改动都会被识别），再查数据库中该证的状态（有效、已换发、撤销、注销、吊销、过期）。没有工作区时可用 --public-key 与 --revocations 离线核验。仅当许可证有效时退出码为 0；伪造为 3，其他无效状态为 4。';
  static override examples = [
    "<%= config.bin %> license verify 'YY1.eyJuIjoi….Xk3…' --json",
    '<%= config.bin %> license verify 3101152026PD-01000001',
    "<%= config.bin %> license verify \"$(cat 扫码内容.txt)\" --public-key 发证公钥.pem --revocations 撤销清单.json",
  ];
  static override args = { payload: Args.string({ description: '二维码内容或许可证编号 (QR text or licence number)', required: true }) };
  static override flags = {
    'public-key': Flags.string({ summary: '发证机关公钥 PEM 文件，离线核验用 (public key file for offline checks)' }),
    revocations: Flags.string({ summary: '签名的撤销清单（license revocations 生成），离线核验用 (signed revocation list)' }),
    date: Flags.string({ summary: '按此日期判断是否过期，默认今天 (as-of date)' }),
  };

  async run(): Promise<VerifyResult> {
    const { args, flags } = await this.parse(LicenseVerify);
    const asOf = parseDateFlag(flags.date);
    const opts = { asOf, publicKeyFile: flags['public-key'], revocationsFile: flags.revocations };
    // Offline: with a public key given and no workspace at --db, verify without a database.
    const offline = !!flags['public-key'] && !isPostgresUrl(flags.db) && !fs.existsSync(path.resolve(flags.db));
    const result = offline
      ? await verifyLicense(null, args.payload, opts)
      : await this.withDb(flags.db, (db) => verifyLicense(db, args.payload, opts));
    this.log(formatVerify(result));
    if (!result.valid) process.exitCode = result.status === 'forged' ? 3 : 4;
    return result;
  }
}
