import { describe, expect, it } from 'vitest';
import { formatLogLine } from './pretty-log.js';

describe('pretty log lines', () => {
  const time = Date.UTC(2026, 0, 15, 12, 4, 5, 678);

  it('puts time, level, request id and message first, then the rest as key=value', () => {
    const line = JSON.stringify({ level: 40, time, pid: 1, hostname: 'h', reqId: 'req_1', msg: 'endpoint disabled', endpoint: 'we_1', detail: { a: 'b c' } });
    expect(formatLogLine(line, false)).toBe('12:04:05.678 WARN  req_1 endpoint disabled endpoint=we_1 detail={"a":"b c"}');
  });

  it('shows an error\'s stack below its line, and colours only when asked', () => {
    const line = JSON.stringify({ level: 50, time, msg: 'claiming deliveries failed', err: { message: 'boom', stack: 'Error: boom\n    at claim (x.js:1:1)' } });
    expect(formatLogLine(line, false).split('\n')).toEqual(['12:04:05.678 ERROR claiming deliveries failed', '    Error: boom', '        at claim (x.js:1:1)']);
    expect(formatLogLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
  });

  it('passes a line that is not JSON through as it is', () => {
    expect(formatLogLine('plain words', false)).toBe('plain words');
  });
});
