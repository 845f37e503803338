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
 *  - Anthropic's use-case form not submitted for the account (or the principal): most often a 404
 *    ResourceNotFoundException "Model use case details have not been submitted for this account.
 *    Fill out the Anthropic use case details form before using the model. If you have already
 *    filled out the form, try again in 15 minutes." (quoted from live calls in several public
 *    repositories, 2026), also "You have not filled out the request form", and as a model error
 *    "You have not filled out the required use-case form for this model" (truefoundry/models#934);
 *  - a legacy model the account has not used lately: "Access denied. This Model is marked by
 *    provider as Legacy and you have not been actively using the model in the last 15 days"
 *    (aws-samples/amazon-bedrock-workshop#386, a ResourceNotFoundException);
 *  - an Anthropic-shape upstream's (the Anthropic API, Claude Platform on AWS) answer for a model id
 *    it does not know: "model: claude-…" (a not_found_error).
 */
import type { ErrorKind } from "../upstream-error.js";
import { refusedFields } from "./refused-fields.js";

interface DeploymentFault {
  pattern: RegExp;
  /** What the operator can do, appended to the upstream's message. */
  fix: string;
}

/** Bedrock passes the model's own errors on behind this. */
const MODEL_SAYS = "^(?:The model returned (?:the )?following errors: )?";

export const BEDROCK_DEPLOYMENT_FAULTS: readonly DeploymentFault[] = [
  {
    pattern: new RegExp(`${MODEL_SAYS}data retention mode '[^']*' is not available for this model\\.?$`),
    fix: "the AWS account (or its Bedrock project) must allow a data retention mode this model accepts, e.g. provider_data_share for Claude Fable 5; no request field can change it",
  },
  {
    pattern: /^Invocation of model ID \S+ with on-demand throughput isn.t supported/,
    fix: "set the deployment's upstream_model to an inference profile id (global., us., eu. …) or ARN",
  },
  { pattern: /^The provided model identifier is invalid\.?$/, fix: "check the deployment's upstream_model and that its region offers it" },
  {
    pattern: new RegExp(`${MODEL_SAYS}(?:Model use case details have not been submitted|You have not filled out the (?:required use-case|request) form)`),
    fix: "submit Anthropic's use-case form for the AWS account (Bedrock console: open an Anthropic model, or PutUseCaseForModelAccess); it takes up to 15 minutes to apply",
  },
  { pattern: /^Access denied\. This Model is marked by provider as Legacy/, fix: "the model is legacy for this account: point the deployment at an active model" },
];

/** The Anthropic API and Claude Platform on AWS: a 404 naming the model id it was sent. */
export const ANTHROPIC_DEPLOYMENT_FAULTS: readonly DeploymentFault[] = [
  { pattern: /^model: \S+$/, fix: "the upstream does not know the deployment's model id: check its upstream_model" },
];

/** Kinds a deployment fault arrives as: the request's fault, as the upstream's status reads. */
const AS_THE_REQUESTS_FAULT: ReadonlySet<ErrorKind> = new Set(["invalid_request", "not_found", "permission"]);

/** An upstream error as the gateway reads it: its kind, its message, and the fields it refused. */
export interface Verdict {
  kind: ErrorKind;
  message: string;
  /** `unsupported`: the request's fields the upstream said it does not accept (refused-fields.ts). */
  refusedFields?: string[];
}

/**
 * What an upstream's error says, read once for every upstream shape: a refusal of fields the
 * request carries (an `invalid_request` becomes `unsupported`: another deployment may take them;
 * refused-fields.ts); else a deployment fault, read as the gateway's own (`upstream_auth`, the fix
 * appended to the message, also when it came as an access error already); else the kind as it
 * was. The patterns match the whole message from its start, and a message that names refused
 * fields is never a fault, so a client's field name that an upstream repeats in its refusal
 * ("extraneous key [The provided model identifier is invalid]") is never read as one.
 * `fields`: refusedFields(message), when the caller has them already.
 */
export function upstreamVerdict(kind: ErrorKind, message: string, faults: readonly DeploymentFault[], fields = refusedFields(message)): Verdict {
  if (fields.length > 0) return kind === "invalid_request" ? { kind: "unsupported", message, refusedFields: fields } : { kind, message };
  if (kind !== "upstream_auth" && !AS_THE_REQUESTS_FAULT.has(kind)) return { kind, message };
  for (const fault of faults) {
    if (fault.pattern.test(message)) return { kind: "upstream_auth", message: `${message} (this deployment cannot serve the model as configured: ${fault.fix})` };
  }
  return { kind, message };
}
