/** Jest runs the TypeScript tests under test/ against the real stack (embedded Postgres, anvil). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: { experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true, target: 'es2021', module: 'commonjs', resolveJsonModule: true } }] },
  testTimeout: 120000,
  maxWorkers: 1,
}
