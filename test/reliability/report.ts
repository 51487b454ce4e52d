/**
 * The one line each scenario prints (docs/reliability.md): what it did, events accepted, deliveries that
 * arrived, lost (must be 0), duplicates, duration. docs/reliability.md lists these lines.
 * With HOOKD_TEST_RELIABILITY_OUT set, each line is also appended to that file.
 */
import { appendFileSync } from 'node:fs';
import { TEST_STORE } from '../helpers.js';
import { FULL } from './scale.js';

export interface ScenarioReport {
  scenario: string;
  /** What it did, in a few words. */
  did: string;
  accepted: number;
  /** Distinct (event, endpoint) pairs that arrived, and how many were expected. */
  delivered: number;
  expected: number;
  duplicates: number;
  startedAt: number;
  /** Anything else worth a figure (peak RSS, 503s answered, exit time…). */
  notes?: string;
}

const n = (x: number) => x.toLocaleString('en-US');

export function report(r: ScenarioReport): string {
  const seconds = ((Date.now() - r.startedAt) / 1000).toFixed(1);
  const line = `reliability [${TEST_STORE}${FULL ? '' : ', bounded'}] ${r.scenario}: ${r.did}; accepted ${n(r.accepted)}, `
    + `delivered ${n(r.delivered)} of ${n(r.expected)}, lost ${n(r.expected - r.delivered)}, duplicates ${n(r.duplicates)}, ${seconds} s`
    + (r.notes ? ` (${r.notes})` : '');
  console.log(line);
  if (process.env.HOOKD_TEST_RELIABILITY_OUT) appendFileSync(process.env.HOOKD_TEST_RELIABILITY_OUT, line + '\n');
  return line;
}
