import os from 'node:os';

/** Recorded as the 经办人 when nobody is named: the logs are read in Chinese, so not the English "unknown". */
export const UNNAMED_ACTOR = '未署名';

/**
 * Who is acting, for the import log, task history and licence audit: YIYE_ACTOR, else $USER
 * ($USERNAME on Windows), else the operating-system account running yiye (as `whoami` says — a
 * cron job or service has no $USER), and 未署名 only when none of these can be read.
 */
export function defaultActor(): string {
  return process.env.YIYE_ACTOR?.trim() || process.env.USER?.trim() || process.env.USERNAME?.trim() || osAccount() || UNNAMED_ACTOR;
}

function osAccount(): string {
  try {
    return os.userInfo().username.trim();
  } catch {
    return ''; // no passwd entry for the uid (some containers)
  }
}
