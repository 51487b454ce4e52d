/** Types of client-types.mjs, for the TypeScript that imports it (scripts/client-types.test.ts). */
export const COMMAND: string;
export function render(document: unknown): string;
