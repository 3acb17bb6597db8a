import DbStatusCommand from './status';
import DbBackup from './backup';
import DbRestore from './restore';

/** The `db` topic's commands, by oclif id. */
export const DB_COMMANDS = {
  'db:status': DbStatusCommand,
  'db:backup': DbBackup,
  'db:restore': DbRestore,
};
