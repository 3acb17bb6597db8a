/** The `guide` topic's commands, by oclif id (e.g. 'guide:generate'). */
export const GUIDE_COMMANDS = {};
