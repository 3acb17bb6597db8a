/** The `license` topic's commands, by oclif id (e.g. 'license:generate'). */
export const LICENSE_COMMANDS = {};
