/** An error's `code` (Node's system errors, better-sqlite3's SQLITE_*, PostgreSQL's SQLSTATE), or "" if it has none. */
export function errorCode(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "";
}
