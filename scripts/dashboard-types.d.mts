/** Types of dashboard-types.mjs, for the TypeScript that imports it (scripts/json-schema-to-ts.test.ts). */
export const COMMAND: string;
export function openApiDocument(): Promise<unknown>;
export function render(document: unknown): string;
