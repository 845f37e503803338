/** UndoStack (src/util/undo-stack.ts): what start-gateway and the warm-up stop with. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { UndoStack } from "../../src/util/undo-stack.js";

test("undo runs every step newest first, even after one fails, throws the first failure, and runs nothing twice", async () => {
  const ran: string[] = [];
  const stack = new UndoStack();
  stack.push(() => ran.push("first"));
  stack.push(() => {
    ran.push("second");
    throw new Error("second failed");
  });
  stack.push(async () => {
    ran.push("third");
    throw new Error("third failed");
  });
  await assert.rejects(stack.undo(), /third failed/);
  assert.deepEqual(ran, ["third", "second", "first"]);
  await stack.undo();
  assert.deepEqual(ran, ["third", "second", "first"], "a second undo finds nothing left");
});

test("undoAfter undoes everything and throws the error it was given, not a failure to undo", async () => {
  const ran: string[] = [];
  const stack = new UndoStack();
  stack.push(() => ran.push("closed"), () => {
    throw new Error("could not stop");
  });
  await assert.rejects(stack.undoAfter(new Error("the port is taken")), /the port is taken/);
  assert.deepEqual(ran, ["closed"]);
});
