/**
 * Connections that never send a byte (undici opens and closes one after an aborted request) must
 * not keep an emulator from closing: the protocol sniffer owns them until a first byte arrives.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { fixtureModels } from "./emulator-fixtures.js";

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });
}

async function closesWithin(close: () => Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const closed = close().then(() => true);
  try {
    return await Promise.race([closed, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

test("a connection ended before its first byte is closed by the emulator, and close() does not wait for it", async () => {
  const emulator = await startAnthropicEmulator({ models: fixtureModels });
  const ended = await open(emulator.port);
  const serverClosed = new Promise<void>((resolve) => ended.once("close", () => resolve()));
  ended.end();
  await serverClosed;
  assert.equal(await closesWithin(() => emulator.close(), 3_000), true);
});

test("a connection that stays open without a byte does not hold close() either", async () => {
  const emulator = await startAnthropicEmulator({ models: fixtureModels });
  const silent = await open(emulator.port);
  silent.on("error", () => undefined);
  assert.equal(await closesWithin(() => emulator.close(), 3_000), true);
  silent.destroy();
});
