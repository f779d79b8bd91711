// Runs only the emulator's tests, without the project's global setup (which needs the database and Redis).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['emulator/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
