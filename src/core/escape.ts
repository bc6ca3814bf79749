/* eslint-disable no-control-regex -- this file is about control characters */
// Text from Jira (error messages, display names) and from commit messages reaches a terminal: its
// control characters must not act there (docs/configuration.md). An ESC sequence could clear the screen,
// retitle the window or move the cursor to forge a line ("logged in as Admin"); C1 controls (U+0080–U+009F,
// CSI among them) act on some terminals too; a carriage return overwrites the line; bidi overrides
// reorder what is shown. Each becomes a visible escape (`\x1b`, `\r`, `\u202e`) instead.

// C0 (tab and newline included), DEL, C1, the line/paragraph separators and the bidi controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, but newlines are kept; with colour on, so are the SGR sequences jlog writes itself
// (picocolors' bold, dim, red, green, yellow, cyan and their resets), and no other: a commit message's
// `\x1b[8m` (hidden text) or `\x1b[7m` must not act, and nothing colours output when colour is off.
const CONTROL_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE_AND_OWN_COLOUR =
  /\u001b\[(?:1|2|22|31|32|33|36|39)m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const code = ch.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of external text, safe for a terminal: every control character shown as an escape. */
export function escapeTerminal(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * Text jlog is about to print: control characters escaped, except newlines (jlog's own output has
 * several lines at times: help, completion scripts) and, when `colour` is on for the stream, jlog's own
 * colour codes. A second layer under escapeTerminal, for a place that forgot to escape external text; a
 * line break in Jira's text is made a space where that text enters (jira/errors.ts).
 */
export function escapeOutput(text: string, colour = false): string {
  return colour
    ? text.replace(CONTROL_BUT_NEWLINE_AND_OWN_COLOUR, (c) => (c.length > 1 ? c : visible(c)))
    : text.replace(CONTROL_BUT_NEWLINE, visible);
}

// JSON.stringify escapes C0 (ESC included, as \u001b) but leaves DEL, C1, U+2028/2029 and the bidi
// controls raw: `jlog … --json` on a terminal would pass a C1 CSI through.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with those characters written as \u escapes: the same value for any JSON reader. */
export function escapeJsonText(json: string): string {
  return json.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
