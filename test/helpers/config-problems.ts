/** A gateway config the tests expect to be refused: its problems, one line each, as `gw.yaml:LINE: path: message`. */
import assert from "node:assert/strict";
import { ConfigError, parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { catalog } from "./catalog.js";

export function configProblems(yaml: string): string[] {
  try {
    parseGatewayConfig(yaml, "gw.yaml", catalog());
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split("\n").filter((line) => line.startsWith("gw.yaml"));
  }
  assert.fail("the config was accepted");
}
