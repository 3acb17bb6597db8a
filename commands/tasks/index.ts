import TasksExtract from './extract';
import TasksImport from './import';
import TasksUpdate from './update';
import TasksList from './list';
import TasksAliases from './aliases';

/** The `tasks` topic's commands, by oclif id. */
export const TASKS_COMMANDS = {
  'tasks:extract': TasksExtract,
  'tasks:import': TasksImport,
  'tasks:update': TasksUpdate,
  'tasks:list': TasksList,
  'tasks:aliases': TasksAliases,
};
