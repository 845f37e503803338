/**
 * Upstream answers that say a deployment cannot serve its model at all, whatever the request: the
 * model id it sends is wrong, retired or needs an inference profile, or the account behind it has
 * not been given the model. They come as a 400 ValidationException or a 404, which would read as
 * the client's fault and go back to the client with no other deployment tried; but the client
 * chose only the model, and the gateway chose the deployment and its id. So they count as the
 * gateway's own account or configuration failing (`upstream_auth`): the model's next deployment
 * serves the request, the deployment's health counts a failure (enough of them open its circuit),
 * and the client gets a 502 naming the cause and the fix only when no deployment is left.
 *
 * Messages as reported (each pattern's source):
 *  - Claude Fable 5 and Mythos-class models on Bedrock refuse an account whose data retention
 *    mode they do not allow: "The model returned following errors: data retention mode 'default'
 *    is not available for this model" (anomalyco/opencode#31560, pydantic/pydantic-ai#8341,
 *    PostHog/posthog#71189: a Bedrock fallback that "has never worked");
 *  - a bare foundation-model id of a model served only through inference profiles: "Invocation of
 *    model ID … with on-demand throughput isn't supported. Retry your request with the ID or ARN
 *    of an inference profile that contains this model." (gethouston/houston#1471);
 *  - an id the region does not have: "The provided model identifier is invalid."
 *    (gethouston/houston#1471);
 *  - Anthropic's use-case form not submitted for the account: "You have not filled out the
 *    required use-case form for this model" (truefoundry/models#934);
 *  - a legacy model the account has not used lately: "Access denied. This Model is marked by
 *    provider as Legacy and you have not been actively using the model in the last 15 days"
 *    (aws-samples/amazon-bedrock-workshop#386, a ResourceNotFoundException);
 *  - the Anthropic API's 404 for a model id it does not know: "model: claude-…" (its not_found_error).
 */
import type { ErrorKind } from "../upstream-error.js";

interface DeploymentFault {
  pattern: RegExp;
  /** What the operator can do, appended to the upstream's message. */
  fix: string;
}

export const BEDROCK_DEPLOYMENT_FAULTS: readonly DeploymentFault[] = [
  {
    pattern: /data retention mode '[^']*' is not available for this model/i,
    fix: "the AWS account (or its Bedrock project) must allow a data retention mode this model accepts, e.g. provider_data_share for Claude Fable 5; no request field can change it",
  },
  {
    pattern: /with on-demand throughput isn.t supported/i,
    fix: "set the deployment's upstream_model to an inference profile id (global., us., eu. …) or ARN",
  },
  { pattern: /the provided model identifier is invalid/i, fix: "check the deployment's upstream_model and that its region offers it" },
  { pattern: /use[- ]case (?:form|details)/i, fix: "submit Anthropic's use-case form for the AWS account (Bedrock console, model access)" },
  { pattern: /marked by provider as legacy/i, fix: "the model is legacy for this account: point the deployment at an active model" },
];

export const ANTHROPIC_DEPLOYMENT_FAULTS: readonly DeploymentFault[] = [
  { pattern: /^model: \S+$/, fix: "the upstream does not know the deployment's model id: check its upstream_model" },
];

/** Kinds a deployment fault arrives as: the request's fault, as the upstream's status reads. */
const AS_THE_REQUESTS_FAULT: ReadonlySet<ErrorKind> = new Set(["invalid_request", "not_found", "permission"]);

/**
 * An upstream's verdict, with a deployment fault read as the gateway's own (`upstream_auth`, the
 * fix appended to the message); any other verdict as it was.
 */
export function deploymentFaultOf(kind: ErrorKind, message: string, faults: readonly DeploymentFault[]): { kind: ErrorKind; message: string } {
  if (!AS_THE_REQUESTS_FAULT.has(kind)) return { kind, message };
  for (const fault of faults) {
    if (fault.pattern.test(message)) return { kind: "upstream_auth", message: `${message} (this deployment cannot serve the model as configured: ${fault.fix})` };
  }
  return { kind, message };
}
