/** Types of json-schema-to-ts.mjs, for the TypeScript that imports it (its test). */
export function schemaToType(schema: unknown, options?: { ref?: (ref: string) => string; indent?: string }): string;
