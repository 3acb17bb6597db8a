import { Flags } from '@oclif/core';
import { KEY_FILE_ENV } from './keys';

/** --key-file, shared by every command that signs (issue, change, renew, apply, revocations). */
export const keyFileFlag = Flags.string({
  summary: '工作区签名私钥文件，默认见 yiye init 的说明 (private signing key file)',
  env: KEY_FILE_ENV,
});
