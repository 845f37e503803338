/**
 * Verifies AWS Signature Version 4 on an incoming request, the way the AWS front door does for
 * Bedrock (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
 * recompute the canonical request over exactly the SignedHeaders listed, the path as received
 * encoded once more (non-S3 services double-encode), the query re-encoded and sorted, and the
 * payload hash; then the string to sign and the HMAC chain of the secret. Checked against the
 * aws-c-auth v4 test suite (test/fixtures/emulators/sigv4/).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent on the request line, e.g. /model/anthropic.x%3A0/invoke?a=b */
  target: string;
  /** Header lines in the order received; duplicate names allowed. */
  headers: [string, string][];
  body: Uint8Array;
}

export interface AwsCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface VerifyOptions {
  region: string;
  service: string;
  findCredential(accessKeyId: string): AwsCredential | undefined;
  /** Epoch milliseconds. */
  now: number;
  /** Accepted clock difference; AWS allows 15 minutes. */
  maxSkewMs?: number;
}

export type SigV4Failure = {
  ok: false;
  status: number;
  errorType: "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "InvalidSignatureException" | "UnrecognizedClientException";
  message: string;
  canonicalRequest?: string;
};
export type Verification = { ok: true; accessKeyId: string; canonicalRequest: string; stringToSign: string } | SigV4Failure;

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;:_.-]+),\s*Signature=([0-9a-f]{64})\s*$/;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 3986 encoding as AWS does it: everything but A-Z a-z 0-9 - _ . ~ is %XX. */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Dot segments and empty segments removed, then every segment encoded once more. */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith("/") ? "/" : "";
  const normalized = `/${segments.join("/")}${trailing}`;
  return escapeUri(normalized).replace(/%2F/g, "/");
}

export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const key = safeDecode(equals < 0 ? part : part.slice(0, equals));
    const value = equals < 0 ? "" : safeDecode(part.slice(equals + 1));
    if (key.toLowerCase() === "x-amz-signature") continue;
    pairs.push([escapeUri(key), escapeUri(value)]);
  }
  return pairs
    .map(([key, value]) => `${key}=${value}`)
    .sort((left, right) => {
      const [leftKey = ""] = left.split("=");
      const [rightKey = ""] = right.split("=");
      if (leftKey !== rightKey) return leftKey < rightKey ? -1 : 1;
      return left < right ? -1 : left > right ? 1 : 0;
    })
    .join("&");
}

function headerValues(headers: [string, string][], name: string): string[] {
  return headers.filter(([header]) => header.toLowerCase() === name).map(([, value]) => value);
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[], payloadHash: string): string {
  const queryStart = request.target.indexOf("?");
  const rawPath = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? "" : request.target.slice(queryStart + 1);
  const headerLines = signedHeaders.map((name) => {
    const values = headerValues(request.headers, name).map((value) => value.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").trim());
    return `${name}:${values.join(",")}`;
  });
  return [request.method.toUpperCase(), canonicalPath(rawPath), canonicalQuery(rawQuery), ...headerLines, "", signedHeaders.join(";"), payloadHash].join("\n");
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
}

/** 20150830T123600Z -> epoch ms */
function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function fail(status: number, errorType: SigV4Failure["errorType"], message: string, canonical?: string): SigV4Failure {
  return { ok: false, status, errorType, message, ...(canonical ? { canonicalRequest: canonical } : {}) };
}

export function verifySigV4(request: SignedRequest, options: VerifyOptions): Verification {
  const authorization = headerValues(request.headers, "authorization")[0];
  if (authorization === undefined) return fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    return fail(403, "IncompleteSignatureException", `Authorization header requires 'Credential', 'Signature', 'SignedHeaders' parameters. Authorization=${authorization.split(" ")[0]}`);
  }
  const [, accessKeyId = "", scopeDate = "", scopeRegion = "", scopeService = "", signedHeaderList = "", signature = ""] = match;
  const credential = options.findCredential(accessKeyId);
  if (!credential) return fail(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
  if (scopeService !== options.service) return fail(403, "InvalidSignatureException", `Credential should be scoped to correct service: '${options.service}'. `);
  if (scopeRegion !== options.region) return fail(403, "InvalidSignatureException", `Credential should be scoped to a valid region, not '${scopeRegion}'. `);

  const signedHeaders = signedHeaderList.split(";");
  // Over HTTP/2 the AWS SDK signs the :authority pseudo-header instead of host.
  if (!signedHeaders.includes("host") && !signedHeaders.includes(":authority")) return fail(403, "InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const amzDate = headerValues(request.headers, "x-amz-date")[0] ?? headerValues(request.headers, "date")[0] ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return fail(403, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (amzDate.slice(0, 8) !== scopeDate) return fail(403, "InvalidSignatureException", `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`);
  const skew = options.maxSkewMs ?? 15 * 60_000;
  if (Math.abs(options.now - signedAt) > skew) {
    return fail(403, "InvalidSignatureException", `Signature expired: ${amzDate} is now earlier than ${new Date(options.now - skew).toISOString()} (${new Date(options.now).toISOString()} - 15 min.)`);
  }

  const token = headerValues(request.headers, "x-amz-security-token")[0];
  if ((credential.sessionToken ?? undefined) !== token) return fail(403, "UnrecognizedClientException", "The security token included in the request is invalid.");

  const bodyHash = request.body.length === 0 ? EMPTY_SHA256 : createHash("sha256").update(request.body).digest("hex");
  const declaredHash = headerValues(request.headers, "x-amz-content-sha256")[0];
  if (declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD" && declaredHash !== bodyHash) {
    return fail(400, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const payloadHash = declaredHash ?? bodyHash;
  const canonical = canonicalRequest(request, signedHeaders, payloadHash);
  const scope = `${scopeDate}/${scopeRegion}/${scopeService}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical, "utf8").digest("hex")].join("\n");
  const expected = createHmac("sha256", signingKey(credential.secretAccessKey, scopeDate, scopeRegion, scopeService)).update(stringToSign, "utf8").digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(
      403,
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      canonical,
    );
  }
  return { ok: true, accessKeyId, canonicalRequest: canonical, stringToSign };
}
