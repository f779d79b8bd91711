// The checkout the service runs from: the nearest folder above this file holding package.json.
// The same code runs as TypeScript from src/ (tsx) and compiled from dist/server/src/ (`npm
// start`), so paths to the project's other files (the migrations in drizzle/, the dashboard in
// web/dist) are taken from there, never counted in `../` from this file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the checkout: `projectPath('web', 'dist')`. */
export const projectPath = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
