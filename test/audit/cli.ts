/**
 * Runs a command of the db and audit topics as the real CLI does. Until their topics are listed in
 * commands/index.ts, the built command class is run through oclif's own `Command.run` in a child
 * process (same flags, --json envelope, error handling and exit codes as bin/run.js); once listed,
 * through bin/run.js itself.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { yiye, type CliRun } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../..');

function registered(id: string): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return !!(require(path.join(ROOT, 'dist/commands/index.js')) as { COMMANDS: Record<string, unknown> }).COMMANDS[id];
  } catch {
    return false;
  }
}

export function cli(id: string, args: string[]): Promise<CliRun> {
  if (registered(id)) return yiye([...id.split(':'), ...args]);
  const script = `require(${JSON.stringify(path.join(ROOT, 'dist/commands', `${id.replace(':', '/')}.js`))}).default.run(process.argv.slice(1), ${JSON.stringify(ROOT)})`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, '--', ...args], { env: { ...process.env, CI: 'true', YIYE_DB: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}
