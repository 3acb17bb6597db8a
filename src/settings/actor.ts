/** Who is acting, for the import log, task history and licence audit: YIYE_ACTOR, else the OS user. */
export function defaultActor(): string {
  return process.env.YIYE_ACTOR || process.env.USER || process.env.USERNAME || 'unknown';
}
