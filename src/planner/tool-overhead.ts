/**
 * The hidden system prompt Claude adds when a request carries tools, in the model's own tokens.
 * The catalog schema has no field for it yet, so the planner keeps the published figures here
 * with their source (shared/reference/pricing-rules.md §1.6). Only the planner needs them:
 * metering reads the usage the provider reports, which already includes these tokens.
 */
export interface ToolOverhead {
  /** tool_choice auto or none */
  auto: number;
  /** tool_choice any or tool */
  any: number;
  source: string;
}

const PRICING_PAGE = "https://platform.claude.com/docs/en/about-claude/pricing (tool use system prompt tokens)";
const CLAUDE_4_THROUGH_OPUS_4_6: ToolOverhead = { auto: 346, any: 313, source: PRICING_PAGE };

const TABLE: Record<string, ToolOverhead> = {
  "claude-sonnet-4": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-sonnet-4-5": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-sonnet-4-6": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-haiku-4-5": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-opus-4": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-opus-4-1": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-opus-4-5": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-opus-4-6": CLAUDE_4_THROUGH_OPUS_4_6,
  "claude-3-5-haiku": { auto: 264, any: 340, source: PRICING_PAGE },
  "claude-3-opus": { auto: 530, any: 281, source: PRICING_PAGE },
  "claude-opus-4-7": { auto: 675, any: 804, source: "third-party cheat-sheet quoting the late-2026 pricing page (unverified)" },
  "claude-opus-4-8": { auto: 290, any: 410, source: `${PRICING_PAGE}, late-2026 snapshot` },
  "claude-opus-5": { auto: 286, any: 406, source: `${PRICING_PAGE}, late-2026 snapshot` },
};

export function toolOverhead(modelId: string): ToolOverhead | undefined {
  return TABLE[modelId];
}
