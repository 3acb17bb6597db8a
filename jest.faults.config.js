/**
 * Jest for the fault suites (`npm run test:faults`): the crash suite kills the real CLI at random
 * moments, the concurrency suite runs it four times at once. Same setup as jest.config.js (one
 * PostgreSQL for the run, ts-jest), but its own file pattern so the main `jest` run never picks
 * them up. Run in band: the suites start their own child processes and measure their run times.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/test/faults/**/*.faults.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 300000,
};
