/** The `report` topic's commands, by oclif id (e.g. 'report:generate'). */
export const REPORT_COMMANDS = {};
