import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The package's own export condition for its sources (package.json `exports`): examples import the package by name
 * (`clerk-machine-key-rotator/reader`) and the tests run them against lib/, without a build. Vitest's own server
 * conditions stay (Vite's, less `module`, whose targets Node cannot always load).
 */
const SOURCE_CONDITION = '@clerk-machine-key-rotator/source';
const conditions = [SOURCE_CONDITION, ...defaultServerConditions.filter((condition) => condition !== 'module')];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/scanOutputForKeys.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest-reports/results.json' }]],
    coverage: {
      provider: 'v8',
      include: ['lib/core/**/*.ts', 'lib/clerk/**/*.ts', 'lib/verification/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: { lines: 95 },
    },
  },
});
