import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { canonicalPath, verifySigV4, type SignedRequest } from "../../src/emulators/bedrock/sigv4-verifier.js";
import { fixturePath } from "./fixture-paths.js";

interface SuiteContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  region: string;
  service: string;
  timestamp: string;
}

/** Parses a suite header-signed-request.txt: request line, header lines, blank line, body. */
function parseRequest(text: string): SignedRequest {
  const split = text.indexOf("\n\n");
  const head = text.slice(0, split).split("\n");
  const body = text.slice(split + 2);
  const [requestLine = "", ...headerLines] = head;
  const method = requestLine.slice(0, requestLine.indexOf(" "));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(" HTTP/"));
  const headers = headerLines.map((line): [string, string] => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]);
  return { method, target, headers, body: Buffer.from(body, "utf8") };
}

const suiteDirectory = fixturePath("sigv4");
const defaultContext = JSON.parse(readFileSync(join(suiteDirectory, "default-context.json"), "utf8")) as SuiteContext;
const cases = readdirSync(suiteDirectory).filter((name) => statSync(join(suiteDirectory, name)).isDirectory());

function loadCase(name: string): { request: SignedRequest; context: SuiteContext } {
  const contextFile = join(suiteDirectory, name, "context.json");
  const context = existsSync(contextFile) ? (JSON.parse(readFileSync(contextFile, "utf8")) as SuiteContext) : defaultContext;
  return { request: parseRequest(readFileSync(join(suiteDirectory, name, "header-signed-request.txt"), "utf8")), context };
}

function optionsFor(context: SuiteContext) {
  return {
    region: context.region,
    service: context.service,
    now: Date.parse(context.timestamp),
    findCredential: (id: string) =>
      id === context.credentials.access_key_id
        ? {
            accessKeyId: id,
            secretAccessKey: context.credentials.secret_access_key,
            ...(context.credentials.token ? { sessionToken: context.credentials.token } : {}),
          }
        : undefined,
  };
}

test("the suite has the cases we copied", () => assert.ok(cases.length >= 15, `only ${cases.length} cases`));

for (const name of cases) {
  test(`aws-c-auth v4 suite ${name}: the signature verifies`, () => {
    const { request, context } = loadCase(name);
    const result = verifySigV4(request, optionsFor(context));
    assert.equal(result.ok, true, result.ok ? "" : `${result.errorType}: ${result.message}\n${result.canonicalRequest ?? ""}`);
  });

  test(`aws-c-auth v4 suite ${name}: a changed header, path or secret does not verify`, () => {
    const { request, context } = loadCase(name);
    const [path = "", query] = request.target.split("?");
    const tamperedPath = { ...request, target: `${path}${path.endsWith("/") ? "" : "/"}tampered${query === undefined ? "" : `?${query}`}` };
    assert.equal(verifySigV4(tamperedPath, optionsFor(context)).ok, false);
    const dated = { ...request, headers: request.headers.map(([key, value]): [string, string] => [key, key.toLowerCase() === "x-amz-date" ? "20150830T123601Z" : value]) };
    assert.equal(verifySigV4(dated, optionsFor(context)).ok, false);
    const wrongSecret = { ...optionsFor(context), findCredential: (id: string) => ({ accessKeyId: id, secretAccessKey: "not-the-secret", ...(context.credentials.token ? { sessionToken: context.credentials.token } : {}) }) };
    const result = verifySigV4(request, wrongSecret);
    assert.equal(result.ok, false);
    assert.equal(result.ok ? "" : result.errorType, "InvalidSignatureException");
  });
}

test("scope checks name the problem: unknown key, service, region, expiry, session token", () => {
  const { request, context } = loadCase("get-vanilla-with-session-token");
  const options = optionsFor(context);
  const failure = (result: ReturnType<typeof verifySigV4>) => (result.ok ? "ok" : `${result.errorType}: ${result.message}`);
  assert.match(failure(verifySigV4(request, { ...options, findCredential: () => undefined })), /^UnrecognizedClientException/);
  assert.match(failure(verifySigV4(request, { ...options, service: "bedrock" })), /scoped to correct service: 'bedrock'/);
  assert.match(failure(verifySigV4(request, { ...options, region: "eu-west-1" })), /scoped to a valid region, not 'us-east-1'/);
  assert.match(failure(verifySigV4(request, { ...options, now: options.now + 20 * 60_000 })), /Signature expired/);
  const noToken = { ...request, headers: request.headers.filter(([key]) => key.toLowerCase() !== "x-amz-security-token") };
  assert.match(failure(verifySigV4(noToken, options)), /^UnrecognizedClientException/);
  const unsigned = { ...request, headers: request.headers.filter(([key]) => key.toLowerCase() !== "authorization") };
  assert.match(failure(verifySigV4(unsigned, options)), /^MissingAuthenticationTokenException/);
});

test("Bedrock paths are encoded a second time: %3A in the request line signs as %253A", () => {
  assert.equal(canonicalPath("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"), "/model/anthropic.claude-3-haiku-20240307-v1%253A0/invoke");
});

test("a request signed by @smithy/signature-v4 for service bedrock verifies, body hash included", async () => {
  const body = JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [] });
  const signer = new SignatureV4({
    service: "bedrock",
    region: "us-west-2",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 4000,
      path: "/model/us.anthropic.claude-sonnet-4-6%3A0/invoke",
      headers: { host: "127.0.0.1:4000", "content-type": "application/json" },
      body,
    }),
    { signingDate: new Date("2026-01-01T00:00:00Z") },
  );
  const request: SignedRequest = {
    method: "POST",
    target: signed.path,
    headers: Object.entries(signed.headers),
    body: Buffer.from(body),
  };
  const options = {
    region: "us-west-2",
    service: "bedrock",
    now: Date.parse("2026-01-01T00:01:00Z"),
    findCredential: (id: string) => (id === "AKIDEXAMPLE" ? { accessKeyId: id, secretAccessKey: "secret" } : undefined),
  };
  assert.equal(verifySigV4(request, options).ok, true);
  assert.equal(verifySigV4({ ...request, body: Buffer.from(body.replace("10", "11")) }, options).ok, false);
});
