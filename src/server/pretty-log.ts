/**
 * Pretty log lines for a terminal, written here rather than with pino-pretty: pino-pretty runs
 * as a worker-thread transport and brings a dozen packages for what is one line per event.
 * Takes pino's JSON lines (already redacted) and writes
 *   `12:04:05.678 INFO  req_… request completed GET /v1/events → 200 in 3.1 ms key=value`
 * with the error's stack, if any, indented below. A line that is not JSON passes through.
 */
import { Writable } from 'node:stream';
import { printable } from '../domain/terminal-text.js';

const LEVELS: Record<number, [name: string, color: number]> = {
  10: ['TRACE', 90], 20: ['DEBUG', 36], 30: ['INFO', 32], 40: ['WARN', 33], 50: ['ERROR', 31], 60: ['FATAL', 35],
};
/** Shown in the line's own words, not as key=value. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

export function formatLogLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return printable(line);
  }
  if (typeof entry !== 'object' || entry === null) return printable(line);
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const [name, code] = LEVELS[Number(entry.level)] ?? [printable(String(entry.level)), 0];
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const parts = [paint(90, time), paint(code, name.padEnd(5))];
  // Request paths, messages and values hold what clients sent (pino's JSON escapes C0 only):
  // printable before painting, so that the only escape sequences are the colours.
  if (typeof entry.reqId === 'string') parts.push(paint(90, printable(entry.reqId)));
  if (entry.msg !== undefined) parts.push(printable(String(entry.msg)));
  const req = entry.req as { method?: string; url?: string } | undefined;
  if (req?.method) parts.push(printable(`${req.method} ${req.url ?? ''}`));
  const res = entry.res as { statusCode?: number } | undefined;
  if (res?.statusCode !== undefined) parts.push(`→ ${res.statusCode}`);
  if (typeof entry.responseTime === 'number') parts.push(`in ${entry.responseTime.toFixed(1)} ms`);
  for (const [key, value] of Object.entries(entry)) {
    if (SHOWN.has(key)) continue;
    const text = typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
    parts.push(`${paint(90, `${printable(key)}=`)}${printable(text)}`);
  }
  let out = parts.filter((p) => p !== '').join(' ');
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err) out += '\n' + String(err.stack ?? err.message ?? JSON.stringify(err)).split('\n').map((l) => `    ${printable(l)}`).join('\n');
  return out;
}

export function createPrettyStream(out: NodeJS.WritableStream, options: { color: boolean }): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) out.write(formatLogLine(line, options.color) + '\n');
      done();
    },
    final(done) {
      if (rest) out.write(formatLogLine(rest, options.color) + '\n');
      done();
    },
  });
}
