import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'harness/**/*.test.ts', 'reports/**/*.test.ts', 'ci/**/*.test.ts'],
    // Property tests run thousands of command sequences; give them room on a 2-core machine.
    testTimeout: 120_000,
  },
});
