import InspectRosterImport from './roster-import';
import InspectRosterList from './roster-list';
import InspectRiskImport from './risk-import';
import InspectDraw from './draw';
import InspectDraws from './draws';
import InspectResults from './results';

export const INSPECT_COMMANDS = {
  'inspect:roster:import': InspectRosterImport,
  'inspect:roster:list': InspectRosterList,
  'inspect:risk:import': InspectRiskImport,
  'inspect:draw': InspectDraw,
  'inspect:draws': InspectDraws,
  'inspect:results': InspectResults,
};
