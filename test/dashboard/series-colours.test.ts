/**
 * Series colours (src/dashboard/series-colours.ts): every series on one chart has a colour of its
 * own, however many there are, and a name's colour follows the name, not what is shown beside it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { colourOfSlot, coloursByName, labDistance, OTHER_COLOUR, SERIES_COLOURS } from "../../src/dashboard/series-colours.js";

const names = (count: number, stem = "deployment") => Array.from({ length: count }, (_, index) => `${stem}-${index + 1}`);

test("nine or more names on one chart: no two share a colour (the ninth used to take one already shown)", () => {
  for (const count of [9, 12, 16, 17, 40, 200]) {
    const unknown = coloursByName(names(count, "team"));
    assert.equal(new Set(unknown.values()).size, count, `${count} names the config does not list`);
    const known = coloursByName(names(count), names(count));
    assert.equal(new Set(known.values()).size, count, `${count} names the config lists`);
    const mixed = coloursByName([...names(count), ...names(count, "other-provider")], names(Math.ceil(count / 2)));
    assert.equal(new Set(mixed.values()).size, 2 * count, `${2 * count} names, some listed`);
    for (const colour of mixed.values()) assert.notEqual(colour, OTHER_COLOUR, "no series looks like the other group");
  }
});

test("the colours are far apart: any two of the sixteen by at least 33 in CIELAB, any two of the first forty by at least 20", () => {
  const nearest = (colours: string[]) => Math.min(...colours.flatMap((one, index) => colours.slice(index + 1).map((other) => labDistance(one, other))));
  assert.equal(SERIES_COLOURS.length, 16);
  assert.ok(nearest([...SERIES_COLOURS]) >= 33, `sixteen: ${nearest([...SERIES_COLOURS]).toFixed(1)}`);
  const forty = Array.from({ length: 40 }, (_, slot) => colourOfSlot(slot));
  assert.deepEqual(forty.slice(0, 16), [...SERIES_COLOURS]);
  assert.ok(nearest(forty) >= 20, `forty: ${nearest(forty).toFixed(1)}`);
  for (const colour of forty) assert.ok(labDistance(colour, OTHER_COLOUR) >= 20 && labDistance(colour, "#ffffff") >= 20, `${colour} stands out from grey and the page`);
});

test("a known name's colour is its position's, on every page, whatever else is shown and however far down the list", () => {
  const known = names(30);
  for (const index of [0, 7, 8, 15, 16, 29]) {
    const name = known[index] as string;
    const alone = coloursByName([name], known).get(name);
    assert.equal(alone, colourOfSlot(index));
    assert.equal(coloursByName([...known].reverse(), known).get(name), alone, `${name} among all`);
    assert.equal(coloursByName([name, "unlisted-a", "unlisted-b"], known).get(name), alone, `${name} beside unlisted names`);
  }
});

test("an unlisted name keeps its colour beside any one other name that wants a different one", () => {
  const unlisted = names(24, "key");
  const alone = (name: string) => coloursByName([name]).get(name);
  for (const name of unlisted) {
    for (const other of unlisted.filter((candidate) => alone(candidate) !== alone(name))) {
      assert.equal(coloursByName([other, name]).get(name), alone(name), `${name} beside ${other}`);
    }
  }
});
