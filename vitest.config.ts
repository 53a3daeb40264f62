import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { ERGATE_WORKERS_FROM: 'dist' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn real Python children and threads; two cores are shared by every file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
