/**
 * Text that came from a server or a receiver, made safe to print on a terminal: every line the
 * CLI prints with such text goes through here. The text is typed by strangers (an endpoint URL
 * or description, a workspace name, an event type, an error a receiver answered), and a
 * terminal obeys the control characters in it: ESC[2J clears the screen, ESC]0;…BEL sets the
 * window title, ESC[8m hides what follows, and the C1 forms (U+009B is CSI) do the same on
 * terminals that read them. Bidirectional and other invisible format characters (U+202E
 * reverses what follows, U+200B hides a break) make a line read as something it is not. Each
 * is shown as an escape instead, so the operator sees that it is there (docs/security.md,
 * "Text shown in a terminal").
 */

/** Controls (C0, DEL, C1), format characters (bidi controls, zero-width ones), line and paragraph separators, lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escape(char: string): string {
  const code = char.codePointAt(0)!;
  if (SHORT[char]) return SHORT[char];
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The text with every unprintable character written as an escape: ESC is `\x1b`, U+202E is `\u202e`, a line feed `\n`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escape);
}

/**
 * JSON for a terminal that a JSON parser reads as the same value: JSON.stringify escapes only
 * C0, so DEL, C1 and format characters become \uXXXX escapes too. Outside strings the text
 * holds only ASCII structure and the line breaks of the indentation, which stay.
 */
export function printableJson(value: unknown, indent = 2): string {
  // JSON.stringify leaves no raw C0 inside a string, so the C0 this finds is indentation.
  return JSON.stringify(value, null, indent).replace(UNPRINTABLE, (char) =>
    char.charCodeAt(0) < 0x20 ? char : [...Array(char.length).keys()].map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

const CELL_MAX = 60;

/** Rows as aligned columns, each cell printable and cut at 60 characters; objects are shown as JSON. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => printable(v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.min(CELL_MAX, Math.max(c.length, ...cells.map((r) => r[i]!.length))));
  const line = (values: string[]) => values.map((v, i) => v.slice(0, CELL_MAX).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
