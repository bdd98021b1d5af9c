import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/emulators/**/*.test.ts', 'test/install/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration and e2e tests start real processes; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
