/**
 * Series colours that follow a name, not its rank: a deployment, provider, model or key has the
 * same colour on every page and for every period, whatever else is shown beside it (by rank,
 * anthropic was blue over 30 days and orange over 7, when bedrock spent more that week).
 */
import type { ResolvedConfig } from "../config/load-gateway-config.js";
import type { ApiKeyRecord } from "../ledger/ledger.js";
import { SERIES_COLOURS } from "../planner/report/series-palette.js";

export { SERIES_COLOURS };

/** The groups that have no colour of their own ("other"). */
export const OTHER_COLOUR = "#9ca3af";

/** FNV-1a: a name's own number, the same in every process. */
function hashOf(name: string): number {
  let hash = 0x811c9dc5;
  for (const character of name) hash = Math.imul(hash ^ (character.codePointAt(0) as number), 0x01000193) >>> 0;
  return hash;
}

type Lab = [number, number, number];

/** A "#rrggbb" colour in CIELAB (D65), where distance is roughly how different two colours look. */
function labOf(hex: string): Lab {
  const [red, green, blue] = [1, 3, 5].map((at) => {
    const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((red * 0.4124 + green * 0.3576 + blue * 0.1805) / 0.95047);
  const y = f(red * 0.2126 + green * 0.7152 + blue * 0.0722);
  const z = f((red * 0.0193 + green * 0.1192 + blue * 0.9505) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** How different two colours look: ΔE76, their distance in CIELAB. */
function labGap(a: Lab, b: Lab): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export function labDistance(one: string, other: string): number {
  return labGap(labOf(one), labOf(other));
}

function hexOfHsl(hue: number, saturation: number, lightness: number): string {
  const amount = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round((lightness - amount * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255);
  };
  return `#${[channel(0), channel(8), channel(4)].map((value) => value.toString(16).padStart(2, "0")).join("")}`;
}

/** Beyond the sixteen: hues every 10 degrees at four lightnesses, none grey. */
const EXTRA_CANDIDATES = Array.from({ length: 36 }, (_, step) => [0.25, 0.4, 0.55, 0.7].map((lightness) => hexOfHsl(step * 10, 0.75, lightness))).flat();
const slots: string[] = [...SERIES_COLOURS];
const slotLabs: Lab[] = slots.map(labOf);
const shunned = [OTHER_COLOUR, "#ffffff"].map(labOf);

/**
 * The colour of slot n: the palette's nth for n < 16, then each the candidate farthest (in CIELAB)
 * from every colour before it, from OTHER_COLOUR and from white. The same in every process, and
 * no two slots share a colour (after the 144 candidates, golden-angle hues, each its own string).
 */
export function colourOfSlot(slot: number): string {
  while (slots.length <= slot) {
    let best: string | undefined;
    let bestDistance = -1;
    for (const candidate of EXTRA_CANDIDATES) {
      if (slots.includes(candidate)) continue;
      const lab = labOf(candidate);
      const nearest = Math.min(...[...slotLabs, ...shunned].map((other) => labGap(lab, other)));
      if (nearest > bestDistance) {
        bestDistance = nearest;
        best = candidate;
      }
    }
    const next = best ?? `hsl(${((slots.length * 137.508) % 360).toFixed(3)} 70% ${[35, 50, 65][slots.length % 3]}%)`;
    slots.push(next);
    slotLabs.push(best ? labOf(best) : [Number.NaN, Number.NaN, Number.NaN]);
  }
  return slots[slot] as string;
}

/**
 * A colour for each of `names`, no two the same. `known` lists names in an order that does not
 * change with the traffic (the config's deployments, the key store's keys by creation): the nth
 * known name has slot n, always, however many there are. Any other name wants the slot its hash
 * picks among the palette's sixteen; known names choose first, then the others by name, and a
 * name whose slot another has taken gets the next free one of the sixteen, then the first free
 * slot after them. So a known name's colour never changes, and another name keeps its own unless
 * a name shown beside it wanted the same.
 */
export function coloursByName(names: readonly string[], known: readonly string[] = []): Map<string, string> {
  const position = new Map(known.map((name, index) => [name, index]));
  const order = [...new Set(names)].sort((a, b) => (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
  const taken = new Set<number>();
  const colours = new Map<string, string>();
  const palette = SERIES_COLOURS.length;
  for (const name of order) {
    const own = position.get(name);
    let slot = own ?? hashOf(name) % palette;
    if (own === undefined || own < palette) {
      const wanted = slot;
      for (let step = 1; step < palette && taken.has(slot); step += 1) slot = (wanted + step) % palette;
      if (taken.has(slot)) {
        slot = palette;
        while (taken.has(slot)) slot += 1;
      }
    }
    taken.add(slot);
    colours.set(name, colourOfSlot(slot));
  }
  return colours;
}

/** The config's deployments, in the file's order. */
export function knownDeployments(config: ResolvedConfig): string[] {
  return [...config.deployments.keys()];
}

/** The providers (kinds) and the models of the config's deployments, in the order they first appear. */
export function knownProviders(config: ResolvedConfig): string[] {
  return [...new Set([...config.deployments.values()].map((deployment) => deployment.provider.kind))];
}

export function knownModels(config: ResolvedConfig): string[] {
  return [...new Set([...config.deployments.values()].map((deployment) => deployment.model.id))];
}

/** Key ids in the order the keys were created. */
export function knownKeys(keys: Iterable<ApiKeyRecord>): string[] {
  return [...keys].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1)).map((key) => key.id);
}
