/**
 * Which negotiated discount applies to which deployment, and the arithmetic.
 *
 *  - Bedrock: the AWS discount (an EDP / private pricing term that covers Bedrock).
 *  - Anthropic API: the Anthropic discount.
 *  - Claude Platform on AWS: the Anthropic discount too. Anthropic "applies any negotiated
 *    discount, converts the result to CCUs at $0.01 per CCU" (pricing page, §1.7 of
 *    shared/reference/pricing-rules.md); the CCU price itself is fixed, so an AWS discount does
 *    not reduce it. It is billed on the AWS invoice.
 *  - Vertex: the Google Cloud discount. Together, Groq and self-hosting: none.
 */
import { Decimal } from "../pricing/decimal.js";
import type { Money } from "../pricing/money.js";
import { Rational } from "./rational.js";
import type { Discounts } from "./workload.js";

export interface AppliedDiscount {
  percent: Decimal;
  /** Which negotiated discount it is, in words. */
  name: string;
}

export function discountFor(provider: string, discounts: Discounts): AppliedDiscount | undefined {
  const pick = (percent: Decimal, name: string) => (percent.isZero() ? undefined : { percent, name });
  switch (provider) {
    case "bedrock":
      return pick(discounts.awsPercent, "AWS discount (aws_percent)");
    case "anthropic":
      return pick(discounts.anthropicPercent, "Anthropic discount (anthropic_percent)");
    case "claude-platform-aws":
      return pick(discounts.anthropicPercent, "Anthropic discount (anthropic_percent), applied before conversion to CCUs");
    case "vertex":
      return pick(discounts.gcpPercent, "Google Cloud discount (gcp_percent)");
    default:
      return undefined;
  }
}

/** The discount amount on `gross`: gross x percent / 100, rounded half-even to the attodollar. */
export function discountAmount(gross: Money, percent: Decimal): Money {
  return Rational.of(gross).mul(Rational.fromDecimal(percent)).div(100n).roundHalfEven();
}

export const DISCOUNT_FORMULA = "net = gross - gross x percent / 100 (the discount rounded half-even to 10^-18 USD)";
