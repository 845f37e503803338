/** Display helpers shared by the terminal, Markdown and HTML reports. Display only: JSON keeps exact strings. */
import { Decimal } from "../../pricing/decimal.js";
import { moneyToDecimal, type Money } from "../../pricing/money.js";
import { dollars } from "../money-text.js";

export { dollars };
import type { Lever, Option } from "../option.js";

export function signedDollars(amount: Money | undefined): string {
  if (amount === undefined) return "n/a";
  return amount > 0n ? `+${dollars(amount)}` : dollars(amount);
}

export function count(value: bigint | number): string {
  return value.toLocaleString("en-US");
}

export function deployment(option: Option): string {
  const shown = option.regions && option.regions.length > 3 ? [...option.regions.slice(0, 2), `+${option.regions.length - 2} more`] : option.regions;
  const regions = shown && shown.length > 0 ? ` [${shown.join(", ")}]` : "";
  if (option.kind === "provisioned") return `${option.provider}/${option.route}${regions} provisioned (${option.label})`;
  if (option.kind === "self-host") return `self-hosted: ${option.label}`;
  return `${option.provider}/${option.route}${regions}`;
}

export function configSummary(option: Option): string {
  const parts: string[] = [];
  if (option.config.cacheTtl) parts.push(`cache ${option.config.cacheTtl}`);
  if (option.config.batch) parts.push("batch");
  if (option.config.units !== undefined) parts.push(`${option.config.units} MU`);
  if (option.config.replicas !== undefined) parts.push(`${option.config.replicas} replica(s)`);
  if (option.breakdown.some((line) => line.class === "discount")) parts.push("discount");
  return parts.join(", ") || "list price";
}

export function leverLabel(lever: Lever): string {
  return lever.lever.replaceAll("_", " ");
}

/** A Money amount as a JavaScript number, for chart geometry only. */
export function chartNumber(amount: Money): number {
  return Number(moneyToDecimal(amount).round(6).toString());
}

export function percent(part: Money, whole: Money): string {
  if (whole === 0n) return "0%";
  return `${Decimal.fromBigInt(part * 100n).div(Decimal.fromBigInt(whole), 1).toString()}%`;
}
