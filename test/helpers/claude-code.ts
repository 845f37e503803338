/**
 * The anthropic-beta values a real claude CLI (v2.1.185) sent on every /v1/messages request,
 * captured through ANTHROPIC_BASE_URL (ex-machina-co/opencode-anthropic-auth#174).
 */
export const CLAUDE_CODE_BETAS = [
  "claude-code-20250219",
  "oauth-2025-04-20",
  "interleaved-thinking-2025-05-14",
  "thinking-token-count-2026-05-13",
  "context-management-2025-06-27",
  "prompt-caching-scope-2026-01-05",
  "mid-conversation-system-2026-04-07",
  "advisor-tool-2026-03-01",
  "effort-2025-11-24",
  "extended-cache-ttl-2025-04-11",
];
