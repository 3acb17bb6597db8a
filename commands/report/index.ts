import ReportProgress from './progress';

/** The `report` topic's commands, by oclif id. */
export const REPORT_COMMANDS = {
  'report:progress': ReportProgress,
};
