import { defineConfig } from 'vitest/config';

// Two cores on CI: run files in parallel forks, and give simulation-heavy suites room (no test asserts speed).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
