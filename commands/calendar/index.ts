import CalendarImport from './import';
import CalendarShow from './show';

/** The `calendar` topic's commands, by oclif id. */
export const CALENDAR_COMMANDS = {
  'calendar:import': CalendarImport,
  'calendar:show': CalendarShow,
};
