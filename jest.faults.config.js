/**
 * Jest for the fault suites (`npm run test:faults`): the crash suite kills the real CLI at random
 * moments, the concurrency suite runs it four times at once. jest.config.js (one PostgreSQL for the
 * run, ts-jest) with its own file pattern, so the main `jest` run never picks them up. Run in band:
 * the suites start their own child processes and measure their run times.
 */
module.exports = {
  ...require('./jest.config.js'),
  testMatch: ['**/test/faults/**/*.faults.ts'],
  testTimeout: 300000,
};
