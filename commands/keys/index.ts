import KeysExportPublic from './export-public';

/** The `keys` topic's commands, by oclif id. */
export const KEYS_COMMANDS = {
  'keys:export-public': KeysExportPublic,
};
