/** The `keys` topic's commands, by oclif id (e.g. 'keys:generate'). */
export const KEYS_COMMANDS = {};
