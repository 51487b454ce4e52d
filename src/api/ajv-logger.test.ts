import { Ajv } from 'ajv';
import { describe, expect, it, vi } from 'vitest';
import { routeSchemaAjvLogger } from './ajv-logger.js';

describe('routeSchemaAjvLogger', () => {
  it('turns what Ajv would print on stderr into a failed compile', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const ajv = new Ajv({ strict: false, logger: routeSchemaAjvLogger });
    expect(() => ajv.compile({ type: 'string', format: 'no-such-format' })).toThrow(/route schemas: unknown format "no-such-format" ignored/);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('lets a clean schema compile', () => {
    const ajv = new Ajv({ strict: false, logger: routeSchemaAjvLogger });
    expect(ajv.compile({ type: 'object', properties: { id: { type: 'string', pattern: '^we_' } } })({ id: 'we_1' })).toBe(true);
  });
});
