/** The `tasks` topic's commands, by oclif id (e.g. 'tasks:generate'). */
export const TASKS_COMMANDS = {};
