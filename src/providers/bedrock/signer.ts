/**
 * SigV4 for Bedrock Runtime with the AWS SDK's own signer. Signing name "bedrock" (not
 * "bedrock-runtime"); the path is encoded once by us and again by the signer, as the SDK does.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, SourceData } from "@smithy/types";

/** Node's native SHA-256, the way the AWS SDK's Node clients hash. */
class Sha256 extends Hash {
  constructor(secret?: SourceData) {
    super("sha256", secret);
  }
}

export function createSigner(region: string, credentials: () => Promise<AwsCredentialIdentity>): SignatureV4 {
  return new SignatureV4({ service: "bedrock", region, credentials, sha256: Sha256 });
}

/** Signs a POST and returns the headers to send (host included). */
export async function signedHeaders(signer: SignatureV4, url: URL, headers: Record<string, string>, body: string): Promise<Record<string, string>> {
  const request = new HttpRequest({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { ...headers, host: url.host },
    body,
  });
  const signed = await signer.sign(request);
  return signed.headers as Record<string, string>;
}
