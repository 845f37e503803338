/**
 * A value that satisfies a tool's input_schema (the JSON Schema subset tools use: type,
 * properties, required, items, enum, const, anyOf/oneOf, min/max), chosen by a seeded random
 * so the same request gives the same tool input.
 */
import type { SeededRandom } from "./seeded-random.js";

const WORDS = ["alpha", "harbor", "copper", "meadow", "signal", "lantern", "orbit", "willow", "summit", "ember"];
const PLACES = ["Paris", "Tokyo", "Lisbon", "Seattle", "Nairobi", "Oslo", "Lima", "Sydney"];

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function sampleString(schema: Schema, random: SeededRandom, propertyName: string): string {
  const format = schema["format"];
  if (format === "date") return "2026-01-15";
  if (format === "date-time") return "2026-01-15T09:30:00Z";
  if (format === "email") return "someone@example.com";
  if (format === "uri" || format === "url") return "https://example.com/";
  let text = /location|city|place|where|destination/i.test(propertyName)
    ? random.pick(PLACES)
    : Array.from({ length: random.between(1, 3) }, () => random.pick(WORDS)).join(" ");
  const minLength = numberOr(schema["minLength"], 0);
  const maxLength = numberOr(schema["maxLength"], Number.MAX_SAFE_INTEGER);
  while (text.length < minLength) text += "x";
  return text.slice(0, maxLength);
}

export function sampleFromSchema(schema: unknown, random: SeededRandom, propertyName = "", depth = 0): unknown {
  if (!isSchema(schema) || depth > 6) return {};
  if ("const" in schema) return schema["const"];
  const choices = schema["enum"];
  if (Array.isArray(choices) && choices.length > 0) return random.pick(choices);
  const variants = schema["anyOf"] ?? schema["oneOf"] ?? schema["allOf"];
  if (Array.isArray(variants) && variants.length > 0) return sampleFromSchema(variants[0], random, propertyName, depth + 1);

  const declared = schema["type"];
  const type = Array.isArray(declared) ? declared.find((item) => item !== "null") : declared;
  switch (type) {
    case "string":
      return sampleString(schema, random, propertyName);
    case "integer": {
      const low = Math.ceil(numberOr(schema["minimum"], 0));
      const high = Math.floor(numberOr(schema["maximum"], low + 100));
      return random.between(low, Math.max(low, high));
    }
    case "number": {
      const low = numberOr(schema["minimum"], 0);
      const high = numberOr(schema["maximum"], low + 100);
      return Math.round((low + random.next() * (high - low)) * 100) / 100;
    }
    case "boolean":
      return random.next() < 0.5;
    case "null":
      return null;
    case "array": {
      const count = Math.min(Math.max(numberOr(schema["minItems"], 1), 1), 3);
      return Array.from({ length: count }, () => sampleFromSchema(schema["items"], random, propertyName, depth + 1));
    }
    default: {
      const properties = isSchema(schema["properties"]) ? schema["properties"] : {};
      const result: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) result[name] = sampleFromSchema(property, random, name, depth + 1);
      return result;
    }
  }
}
