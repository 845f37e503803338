/** `text` as a RegExp source that matches it as it is: each character with a meaning in a pattern is escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
