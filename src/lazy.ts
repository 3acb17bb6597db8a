/**
 * A module loaded on first use. The CLI loads every command module at start-up (oclif's explicit
 * command list), so a library only some commands need (Handlebars, QR codes, the holiday calendar)
 * is required when first called rather than on every start — most of a short command's run time
 * is module loading, and the test and fault suites start the CLI hundreds of times.
 */
export function lazy<T>(load: () => T): () => T {
  let mod: T | undefined;
  return () => (mod ??= load());
}
