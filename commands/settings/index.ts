import SettingsSet from './set';
import SettingsShow from './show';

/** The `settings` topic's commands, by oclif id. */
export const SETTINGS_COMMANDS = {
  'settings:set': SettingsSet,
  'settings:show': SettingsShow,
};
