#!/usr/bin/env node
// Prints the configuration reference (a markdown table generated from src/config/settings.ts)
// from the build output; with --write, replaces the generated section of docs/operations.md.
// Run `npm run build` first. src/config/reference.test.ts fails while the doc is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configReference, withConfigReference } from '../dist/config/reference.js';

const doc = fileURLToPath(new URL('../docs/operations.md', import.meta.url));
if (process.argv.includes('--write')) {
  writeFileSync(doc, withConfigReference(readFileSync(doc, 'utf8')));
  process.stdout.write(`updated ${doc}\n`);
} else {
  process.stdout.write(configReference() + '\n');
}
