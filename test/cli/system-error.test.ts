/**
 * What the CLI tells in a line as the machine's failure (src/cli/system-error.ts), and what it does
 * not: Node's system errors, whatever their code's shape, yes; Node's complaints about an argument no.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { systemError } from "../../src/cli/system-error.js";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test("a system error by its code, EAI_AGAIN (a resolver with no answer) too, even rethrown without its syscall", () => {
  for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]) {
    const error = withCode(`cannot reach PostgreSQL: ${code}`, code);
    assert.equal(systemError(error), error, code);
  }
  const withSyscall = Object.assign(new Error("open x"), { syscall: "open" });
  assert.equal(systemError(withSyscall), withSyscall);
});

test("Node's own argument errors (ERR_*) and errors with no code are not the machine's", () => {
  assert.equal(systemError(withCode("Invalid URL", "ERR_INVALID_URL")), undefined);
  assert.equal(systemError(withCode("bad port", "ERR_SOCKET_BAD_PORT")), undefined);
  assert.equal(systemError(new Error("a bug")), undefined);
  assert.equal(systemError("text"), undefined);
});

test("pg's AggregateError of one refusal per address: the first is told", () => {
  const first = withCode("connect ECONNREFUSED ::1:5432", "ECONNREFUSED");
  assert.equal(systemError(new AggregateError([first, withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")], "")), first);
});
