/** The published union of event types is generated from hookd's catalog and must not drift from it. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DEFAULT_EVENT_TYPES as CATALOG, FALU_EVENT_TYPES, HOOKD_EVENT_TYPES } from '../../../src/domain/event-types.js';
import { DEFAULT_EVENT_TYPES, isHookdEventType, type FaluEventType, type HookdEventType, type HookdOperationalEventType } from '../src/index.js';

describe('HookdEventType', () => {
  it('lists the default catalog, in order: 77 Falu types and hookd\'s own 2', () => {
    expect(DEFAULT_EVENT_TYPES).toEqual(CATALOG);
    expect(DEFAULT_EVENT_TYPES).toHaveLength(79);
    expect(FALU_EVENT_TYPES).toHaveLength(77);
    expect(HOOKD_EVENT_TYPES).toHaveLength(2);
  });

  it('the committed src/event-types.ts is what the generator writes from src/domain/event-types.ts', () => {
    const script = fileURLToPath(new URL('../scripts/generate-event-types.mjs', import.meta.url));
    // Exits 1 with a message when the file is out of date.
    expect(execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' })).toMatch(/up to date/);
  });

  it('is a union of string literals', () => {
    expectTypeOf<'message.delivered'>().toExtend<HookdEventType>();
    expectTypeOf<'webhook_endpoint.test'>().toExtend<HookdOperationalEventType>();
    expectTypeOf<'payment.refund.failed'>().toExtend<FaluEventType>();
    expectTypeOf<'message.exploded'>().not.toExtend<HookdEventType>();
    expectTypeOf<string>().not.toExtend<HookdEventType>();
  });

  it('isHookdEventType', () => {
    expect(isHookdEventType('message.delivered')).toBe(true);
    expect(isHookdEventType('shipment.dispatched')).toBe(false);
  });
});
