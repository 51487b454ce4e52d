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

  it('escapes what clients sent (paths, messages, values, stacks): the only escape sequences are its own colours', () => {
    const line = JSON.stringify({
      level: 30, time, reqId: 'req_1', msg: 'hello \u009b2J', req: { method: 'GET', url: '/v1/x\u001b[2J\u202e' }, res: { statusCode: 404 },
      detail: 'a\u001b]0;t\u0007', err: { message: 'm', stack: 'Error: \u001b[8mhidden\n    at x (y.js:1:1)' },
    });
    const out = formatLogLine(line, true);
    // ESC only in SGR colour codes (ESC [ digits m), nothing else raw.
    // eslint-disable-next-line no-control-regex -- looking for raw control characters is the test
    expect(out.replace(/\x1b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(formatLogLine(line, false).split('\n')).toEqual([
      '12:04:05.678 INFO  req_1 hello \\x9b2J GET /v1/x\\x1b[2J\\u202e → 404 detail=a\\x1b]0;t\\x07',
      '    Error: \\x1b[8mhidden',
      '        at x (y.js:1:1)',
    ]);
    expect(formatLogLine('raw \u001b[2J', false)).toBe('raw \\x1b[2J');
  });
});
