/**
 * A connection URL (PostgreSQL, Redis) as it may be printed: where it points, never a secret. The
 * password becomes "***", and so does any query parameter whose name says it holds one
 * (`password`, `sslpassword`, `sslkey`, a token). Text that is not a URL is not printed at all:
 * with no structure to go by, any of it could be the secret.
 */
const SECRET_PARAMETER = /pass|secret|token|key/i;

export function redactedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "(a connection string that is not a URL: not shown)";
  }
  if (url.password) url.password = "***";
  for (const name of new Set(url.searchParams.keys())) if (SECRET_PARAMETER.test(name)) url.searchParams.set(name, "***");
  return url.toString();
}
