/**
 * Which provider holds the files: the one `/v1/files` goes to, and the only one whose deployments
 * may serve a Messages request naming a `file_id`. A file belongs to the workspace (the provider
 * credential) it was uploaded to ("Files are scoped to the workspace of the API key that uploaded
 * them", https://platform.claude.com/docs/en/build-with-claude/files), so two Anthropic-shape
 * providers (the Claude API and Claude Platform on AWS, or two keys) do not share them. Amazon
 * Bedrock has no Files API.
 */
import { FILES_API_MAX_FILE_BYTES, type GatewayConfig } from "./gateway-config.js";

/** The provider that holds files, or why there is none (said to clients and to the operator). */
export type FilesHolder =
  | { provider: string; maxFileBytes: number }
  | { provider: undefined; why: string; maxFileBytes: number };

/** The provider kinds with a Files API: those that speak the Anthropic API itself. */
const FILES_KINDS: ReadonlySet<string> = new Set(["anthropic", "claude-platform-aws"]);

export interface FilesHolderResolution {
  holder: FilesHolder;
  /** A config error at `files.provider`. */
  problem?: string;
  /** What the gateway runs with but the operator should settle: several providers could hold files and none is named. */
  warning?: string;
}

/**
 * `files.provider` when set (it must name a declared provider of a kind with a Files API); else
 * the only provider of such a kind. With several and none named, the gateway cannot know which
 * workspace a file_id belongs to: it starts (requests without files are unaffected) with a
 * warning, and file requests are refused saying to set `files.provider`.
 */
export function resolveFilesHolder(config: GatewayConfig): FilesHolderResolution {
  const maxFileBytes = config.files?.max_file_bytes ?? FILES_API_MAX_FILE_BYTES;
  const named = config.files?.provider;
  const withFiles = Object.entries(config.providers)
    .filter(([, provider]) => FILES_KINDS.has(provider.kind))
    .map(([name]) => name);
  if (named !== undefined) {
    const provider = config.providers[named];
    if (!provider) {
      return { holder: { provider: undefined, why: `files.provider names no declared provider`, maxFileBytes }, problem: `unknown provider ${JSON.stringify(named)}; declared: ${Object.keys(config.providers).join(", ")}` };
    }
    if (!FILES_KINDS.has(provider.kind)) {
      const choice = withFiles.length > 0 ? ` (here: ${withFiles.join(", ")})` : "";
      return {
        holder: { provider: undefined, why: `files.provider names a ${provider.kind} provider`, maxFileBytes },
        problem: `provider ${named} is ${provider.kind}, which has no Files API: name a provider of kind anthropic or claude-platform-aws${choice}`,
      };
    }
    return { holder: { provider: named, maxFileBytes } };
  }
  if (withFiles.length === 1) return { holder: { provider: withFiles[0] as string, maxFileBytes } };
  if (withFiles.length === 0) {
    return { holder: { provider: undefined, why: "no provider of this gateway has a Files API (the Claude API and Claude Platform on AWS have one; Amazon Bedrock has none)", maxFileBytes } };
  }
  const why = `this gateway has ${withFiles.length} providers with a Files API (${withFiles.join(", ")}), each its own workspace, and its config does not say which one holds files: its operator sets files: { provider: <name> }`;
  return { holder: { provider: undefined, why, maxFileBytes }, warning: `${why}; until then /v1/files and Messages requests naming a file_id are refused` };
}
