/**
 * Whether a file read as UTF-8 text is text at all. A binary file (an executable, a PNG, a gzip)
 * handed to a command that reads YAML or JSON would otherwise be parsed, and the parser's messages
 * quote its bytes back to the terminal: control characters and all. One check, before any parser,
 * says what the file is instead.
 */

/**
 * Characters no YAML or JSON text holds: C0 controls other than tab, line feed and carriage return,
 * DEL, C1 controls other than NEL (YAML's own line break), and U+FFFD, which is what reading bytes
 * that are not UTF-8 as UTF-8 leaves.
 */
const NOT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffd]/;

/** Why `text` is not a text file (the first such character and its line), or undefined when it is text. */
export function binaryContent(text: string): { line: number; reason: string } | undefined {
  const found = NOT_TEXT.exec(text);
  if (!found) return undefined;
  const line = text.slice(0, found.index).split("\n").length;
  const character = found[0] as string;
  const code = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  return {
    line,
    reason: character === "\ufffd" ? "bytes that are not UTF-8" : `a control character (${code})`,
  };
}

/**
 * The message for input that is not text: what it holds, and what to give instead (the line goes
 * where the caller puts a file's lines). Worded for a file on the command line and for text pasted
 * into the dashboard's planner form alike.
 */
export function notTextMessage(found: { reason: string }, expected: string): string {
  return `not text: it holds ${found.reason}, which no YAML or JSON holds (a binary file does: an executable, an image, an archive; so does a terminal colour code pasted with text); give ${expected} written as UTF-8 text`;
}
