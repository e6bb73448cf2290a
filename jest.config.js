/** Jest runs the TypeScript tests under test/ against the real stack (embedded Postgres, anvil). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: { experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true, target: 'es2021', module: 'commonjs', resolveJsonModule: true } }] },
  testTimeout: 120000,
  // one worker: jest runs every suite in this one process, so a handle any suite leaves open (a child process, a
  // socket, a ref'd timer) keeps the whole run from exiting. No forceExit: the suites stop what they started, and a
  // run that does not exit is a leak to find with --detectOpenHandles. (The hang once seen after the dashboard and
  // live-query suites fits a leaked pool connection: pool.end() waited for it, so server.close() never returned and
  // the suite's Postgres was never stopped; fixed in openreader-context.ts, and shutdown no longer waits on one.)
  maxWorkers: 1,
}
