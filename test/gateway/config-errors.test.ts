/**
 * Gateway config problems are refused at start, each with the line of the field at fault: YAML
 * errors (a duplicate key), unknown keys (at the key, not its parent), a model id of another
 * provider, settings that cannot work together, and compliance programmes the catalog does not know.
 * A wrong value is said with the value given, what is allowed, and the allowed value it is close to.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { FETCH_BLOCKED_PORTS } from "../../src/config/fetch-blocked-ports.js";
import { catalog } from "../helpers/catalog.js";
import { configProblems } from "../helpers/config-problems.js";

const BASE = `providers:
  anthropic: { kind: anthropic }
  bedrock-us: { kind: bedrock, region: us-east-1 }
deployments:
  - { id: a-sonnet, provider: anthropic, model: claude-sonnet-4-6, route: global }
`;

const problems = configProblems;

test("a duplicate key is a YAML error with its line", () => {
  const [problem] = problems(`${BASE}timeouts: { connect_ms: 1000 }\ntimeouts: { connect_ms: 2000 }\n`);
  assert.match(problem ?? "", /^gw\.yaml:7: not valid YAML: "timeouts" is given twice in the same map: keep one$/);
});

test("an empty file says so, not 'expected object, received null'", () => {
  assert.deepEqual(problems("# nothing yet\n"), ["gw.yaml: the file is empty (or only comments): nothing to read"]);
});

test("an unknown key a letter or two from a known one is suggested; otherwise the keys known there are listed", () => {
  const found = problems(`${BASE}  - { id: b, provider: anthropic, model: claude-haiku-4-5, routte: global }\nrouting:\n  polcy: cheapest\n  colour: blue\n`);
  assert.match(found.join("\n"), /gw\.yaml:6: deployments\.1: Unrecognized key: "routte" \(did you mean "route"\?\)/);
  assert.match(found.join("\n"), /gw\.yaml:8: routing: Unrecognized key: "polcy" \(did you mean "policy"\?\)/);
  assert.match(found.join("\n"), /gw\.yaml:9: routing: Unrecognized key: "colour"; known here: .*policy.*max_attempts/);
});

test("a secret written in the file is one problem, said as such, not also an unknown key", () => {
  const found = problems(`providers:\n  anthropic: { kind: anthropic, api_key: sk-ant-123 }\ndeployments:\n  - { id: a, provider: anthropic, model: claude-haiku-4-5 }\n`);
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0] ?? "", /^gw\.yaml:2: providers\.anthropic\.api_key: secrets may not be written in the config file/);
});

test("an unknown key is reported at its own line, nested or at the top", () => {
  const nested = problems(`${BASE}routing:\n  policy: cheapest\n  max_attempts: 2\n  max_attemps: 5\n`);
  assert.match(nested[0] ?? "", /^gw\.yaml:9: routing: Unrecognized key: "max_attemps"/);
  const top = problems(`${BASE}\n\ntimeout: { total_ms: 5 }\n`);
  assert.match(top[0] ?? "", /^gw\.yaml:8: Unrecognized key: "timeout"/);
});

test("a model id in another provider's form is refused, not priced as one provider and sent to another", () => {
  const [problem] = problems(`${BASE}  - { id: x, provider: anthropic, model: global.anthropic.claude-sonnet-4-6 }\n`);
  assert.match(problem ?? "", /^gw\.yaml:6: deployments\.1\.model: global\.anthropic\.claude-sonnet-4-6 is Bedrock's global profile, so it cannot be priced on anthropic; for anthropic use claude-sonnet-4-6$/);
  const [route] = problems(`${BASE}  - { id: y, provider: bedrock-us, model: global.anthropic.claude-sonnet-4-6, route: us }\n`);
  assert.match(route ?? "", /^gw\.yaml:6: deployments\.1\.route: global\.anthropic\.claude-sonnet-4-6 is Bedrock's global profile, so it cannot be priced on route us; for route us use us\.anthropic\.claude-sonnet-4-6$/);
});

test("settings that cannot work together, and unknown compliance programmes; a short total_ms is not one of them", () => {
  const found = problems(
    `${BASE}timeouts: { total_ms: 30000 }\nrouting:\n  compliance: [hippa]\n  health: { cooldown_ms: 5000, max_cooldown_ms: 1000 }\nkeys:\n  team: { compliance: [soc2, fedramp-hi] }\n`,
  );
  // A total_ms under first_byte_ms's default is fine: first_byte_ms is also a begun stream's silence limit, which total_ms does not bound.
  assert.equal(found.length, 3, found.join("\n"));
  assert.match(found.join("\n"), /gw\.yaml:8: routing\.compliance\.0: unknown compliance programme "hippa"; the catalog knows .*hipaa/);
  assert.match(found.join("\n"), /gw\.yaml:9: routing\.health\.max_cooldown_ms: 1000 is shorter than cooldown_ms \(5000\)/);
  assert.match(found.join("\n"), /gw\.yaml:11: keys\.team\.compliance\.1: unknown compliance programme "fedramp-hi"/);
});

test("a Claude Platform on AWS region that is not a region is refused at start, not built into a URL", () => {
  const [problem] = problems(`providers:\n  platform: { kind: claude-platform-aws, region: "us east 1" }\ndeployments:\n  - { id: p, provider: platform, model: claude-sonnet-4-6 }\n`);
  assert.match(problem ?? "", /^gw\.yaml:2: providers\.platform\.region: expected an AWS region such as us-east-1, got "us east 1"$/);
});

test("a duration longer than Node's timers can hold is refused (such a timer fires at once: every stream would be cut)", () => {
  const [problem] = problems(`${BASE}timeouts: { stream_max_ms: 3000000000 }\n`);
  assert.match(problem ?? "", /^gw\.yaml:6: timeouts\.stream_max_ms: expected at most 2147483647 ms \(about 24\.8 days\), the longest timer Node keeps, got 3000000000$/);
});

test("a wrong enum value names the value given, what is allowed and the allowed value it is a letter or two from", () => {
  const found = problems(`providers:\n  anthropic: { kind: antropic }\n  bedrock-us: { kind: bedrock, region: us-east-1, api: convers }\ndeployments:\n  - { id: a, provider: anthropic, model: claude-haiku-4-5 }\nrouting: { policy: fastes }\n`);
  assert.deepEqual(found, [
    'gw.yaml:2: providers.anthropic.kind: expected one of anthropic | bedrock | claude-platform-aws, got "antropic" (did you mean "anthropic"?)',
    'gw.yaml:3: providers.bedrock-us.api: expected one of invoke | converse, got "convers" (did you mean "converse"?)',
    'gw.yaml:6: routing.policy: expected one of cheapest | fastest | weighted | ordered, got "fastes" (did you mean "fastest"?)',
  ]);
  const [far] = problems(`${BASE}routing: { policy: random }\n`);
  assert.equal(far, 'gw.yaml:6: routing.policy: expected one of cheapest | fastest | weighted | ordered, got "random"', "no suggestion for a value close to nothing");
});

test("a wrong type names the value given; a number in quotes is told to lose them", () => {
  const found = problems(`listen: { port: "abc" }\n${BASE}routing: { max_attempts: "3", affinity: { enabled: "yes" } }\ntimeouts: { connect_ms: 1.5 }\n`);
  assert.deepEqual(found, [
    'gw.yaml:1: listen.port: expected a number, got "abc"',
    'gw.yaml:7: routing.max_attempts: expected a number, got "3" (write the number without quotes: 3)',
    'gw.yaml:7: routing.affinity.enabled: expected true or false, got "yes"',
    "gw.yaml:8: timeouts.connect_ms: expected a whole number, got 1.5",
  ]);
});

test("a credentials mapping that nearly fits one form says what that form lacks", () => {
  const [problem] = problems(`providers:\n  bedrock-us:\n    kind: bedrock\n    region: us-east-1\n    credentials: { access_key_id_env: AWS_KEY }\ndeployments:\n  - { id: b, provider: bedrock-us, model: claude-haiku-4-5, route: us }\n`);
  assert.equal(problem, "gw.yaml:5: providers.bedrock-us.credentials: secret_access_key_env: required but missing");
});

test("a required field left out is said to be missing, with what it is for, not as a wrong type", () => {
  const found = problems(`providers:\n  anthropic: { base_url: "https://api.anthropic.com" }\n  bedrock-us: { kind: bedrock }\ndeployments:\n  - { id: a, provider: anthropic }\n`);
  assert.deepEqual(found, [
    "gw.yaml:2: providers.anthropic.kind: required but missing: which API the provider speaks: anthropic, bedrock or claude-platform-aws",
    "gw.yaml:3: providers.bedrock-us.region: required but missing: the AWS region whose Bedrock runtime is called, e.g. region: us-east-1",
    "gw.yaml:5: deployments.0.model: required but missing: the catalog model this deployment serves, in any id form (e.g. model: claude-sonnet-4-6)",
  ]);
});

test("a deployment's route the catalog does not have is reported at route:, with the model's routes, also on a provider with a region", () => {
  const found = problems(`${BASE}  - { id: b, provider: bedrock-us, model: claude-sonnet-4-6, route: euu }\n  - { id: c, provider: bedrock-us, model: claude-sonnet-4-6, route: eu }\n`);
  assert.equal(found.length, 2, found.join("\n"));
  assert.match(found[0] ?? "", /^gw\.yaml:6: deployments\.1\.route: claude-sonnet-4-6 has no bedrock route "euu" \(did you mean "eu"\?\); its bedrock routes: global; us \(us-east-1, .*\); eu \(eu-central-1, .*\)/);
  assert.match(found[1] ?? "", /^gw\.yaml:7: deployments\.2\.route: claude-sonnet-4-6's bedrock route eu is served from eu-central-1, .*, not us-east-1; its routes served from us-east-1: global, us \(us-east-1 is provider bedrock-us's region\)$/);
});

test("a listen.port fetch() refuses (its bad ports: 10080, 6000, 6665-6669, …) is a warning at its line, not a refusal; others are not", () => {
  const resolved = parseGatewayConfig(`listen:\n  host: 127.0.0.1\n  port: 10080\n${BASE}`, "gw.yaml", catalog());
  assert.deepEqual(
    resolved.warnings.map((warning) => [warning.line, warning.path, warning.message]),
    [[3, "listen.port", '10080 is one of the ports fetch() refuses to connect to (the Fetch standard\'s "bad ports"): clients built on it, the official Anthropic and OpenAI SDKs among them, give up before sending anything and say only "Connection error." (fetch: "fetch failed", cause "bad port"); listen on another port, e.g. 8080']],
  );
  for (const port of [6000, 6665, 6669]) assert.equal(parseGatewayConfig(`listen: { port: ${port} }\n${BASE}`, "gw.yaml", catalog()).warnings.length, 1, String(port));
  for (const port of [8080, 10081, 0]) assert.deepEqual(parseGatewayConfig(`listen: { port: ${port} }\n${BASE}`, "gw.yaml", catalog()).warnings, [], String(port));
});

test("the blocked ports are the Fetch standard's list, as the undici package has it (Node 20's own fetch, undici 6, follows the same standard)", () => {
  const { badPorts } = createRequire(import.meta.url)("undici/lib/web/fetch/constants.js") as { badPorts: readonly string[] };
  assert.deepEqual([...FETCH_BLOCKED_PORTS].map(String), [...badPorts]);
});
