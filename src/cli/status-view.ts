/**
 * The human view of `hookd status` (GET /v1/status): one screen, the numbers first, then the
 * failing endpoints and the last errors as tables. Times are shown as ages ("3m ago"), which
 * is what someone on call reads first.
 */
import { printable, table } from '../domain/terminal-text.js';

export interface StatusAnswer {
  scope: { workspace: string | null; live: boolean | null };
  generated: string;
  deliveries: { pending: number; oldest_due: string | null };
  failing_endpoints: { count: number; data: { id: string; url: string; status: string; failing_since: string }[] };
  recent_errors: { attempted: string; delivery: string; endpoint: string; url: string; code: number | null; error: string | null }[];
}

/** "3m ago", or "in 5s" for a time still to come. */
export function age(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  const s = Math.round(Math.abs(ms) / 1000);
  const span = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86_400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
  return ms < 0 ? `in ${span}` : `${span} ago`;
}

/** The screen's lines; everything the server sent is printable (terminal-text.ts), URLs and errors being typed by strangers. */
export function renderStatus(status: StatusAnswer): string[] {
  const now = Date.parse(status.generated);
  const scope = status.scope.workspace ? `${status.scope.workspace} (${status.scope.live ? 'live' : 'test'} mode)` : 'every workspace';
  const { pending, oldest_due: oldest } = status.deliveries;
  const lines = [
    `hookd status: ${scope}, at ${status.generated}`,
    '',
    // Overdue work means the dispatchers lag; work due later is only waiting for its retry.
    `Pending deliveries  ${pending}${!oldest ? '' : Date.parse(oldest) <= now ? ` (the longest-waiting was due ${age(oldest, now)})` : ` (the next is due ${age(oldest, now)})`}`,
    `Failing endpoints   ${status.failing_endpoints.count}`,
  ].map(printable);
  if (status.failing_endpoints.data.length > 0) {
    lines.push('', table(status.failing_endpoints.data.map((e) => ({ ...e, since: age(e.failing_since, now) })), ['id', 'status', 'since', 'url']));
  }
  lines.push('', `Failed attempts in the last 24 h${status.recent_errors.length === 0 ? ': none' : ' (newest first)'}`);
  if (status.recent_errors.length > 0) {
    const rows = status.recent_errors.map((e) => ({ when: age(e.attempted, now), code: e.code, error: e.error, endpoint: e.endpoint, delivery: e.delivery }));
    lines.push(table(rows, ['when', 'code', 'error', 'endpoint', 'delivery']));
  }
  return lines;
}
