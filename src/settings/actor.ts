/** Recorded as the 经办人 when nobody is named: the logs are read in Chinese, so not the English "unknown". */
export const UNNAMED_ACTOR = '未署名';

/** Who is acting, for the import log, task history and licence audit: YIYE_ACTOR, else the OS user, else 未署名. */
export function defaultActor(): string {
  return process.env.YIYE_ACTOR?.trim() || process.env.USER?.trim() || process.env.USERNAME?.trim() || UNNAMED_ACTOR;
}
