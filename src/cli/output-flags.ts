import { Flags } from '@oclif/core';

/** --force of every command that writes a file (src/io/output.ts): replace an existing file. */
export const forceFlag = Flags.boolean({ summary: '输出文件已存在时覆盖 (overwrite an existing output file)' });
