/** Jest runs the TypeScript tests under test/ against the real stack (embedded Postgres, anvil). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: { experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true, target: 'es2021', module: 'commonjs', resolveJsonModule: true } }] },
  testTimeout: 120000,
  maxWorkers: 1,
  // The suites start child processes, sockets and headless Chromium; each stops what it started, but a handle
  // that outlives its suite (seen after the dashboard and live-query suites, intermittently) must not keep jest,
  // and so CI, waiting after the last test. Results are written before the forced exit.
  forceExit: true,
}
