/** redactedUrl (src/util/redacted-url.ts): where a connection URL points, never its secrets. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { redactedUrl } from "../../src/util/redacted-url.js";

test("the password becomes ***; user, host, port, database and harmless parameters stay", () => {
  assert.equal(redactedUrl("postgres://app:p%40ss@db.internal:5432/switchyard?sslmode=require"), "postgres://app:***@db.internal:5432/switchyard?sslmode=require");
  assert.equal(redactedUrl("redis://:hunter2@cache.internal:6379/0"), "redis://:***@cache.internal:6379/0");
  assert.equal(redactedUrl("rediss://default:hunter2@cache.example.com:6380"), "rediss://default:***@cache.example.com:6380");
  assert.equal(redactedUrl("postgres://app@db.internal/switchyard"), "postgres://app@db.internal/switchyard", "no password, nothing to hide");
});

test("query parameters that hold secrets are redacted too", () => {
  assert.equal(
    redactedUrl("postgresql://app@db/switchyard?password=hunter2&sslpassword=x&sslkey=/keys/client.key&application_name=sy"),
    "postgresql://app@db/switchyard?password=***&sslpassword=***&sslkey=***&application_name=sy",
  );
});

test("text that is not a URL is not printed: any of it could be the secret", () => {
  assert.doesNotMatch(redactedUrl("host=db user=app password=hunter2"), /hunter2|db|app/);
});
