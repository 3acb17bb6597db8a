import GuideGenerate from './generate';
import GuideMetrics from './metrics';
import GuideCheck from './check';

/** The `guide` topic's commands, by oclif id (e.g. 'guide:generate'). */
export const GUIDE_COMMANDS = {
  'guide:generate': GuideGenerate,
  'guide:metrics': GuideMetrics,
  'guide:check': GuideCheck,
};
