/**
 * Prompts are sugar: asked only on an interactive terminal without --json/--yes and outside CI.
 * Every answer can also be given as a flag.
 */
export function canPrompt(suppressed: boolean): boolean {
  return !suppressed && !process.env.CI && !!process.stdin.isTTY && !!process.stdout.isTTY;
}

export async function askText(message: string, defaultValue: string): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input({ message, default: defaultValue || undefined, required: true });
}
