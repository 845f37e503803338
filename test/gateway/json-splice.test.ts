/** withTopLevelMembers: the client's JSON with a few top-level members set, the rest byte for byte. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { withTopLevelMembers } from "../../src/gateway/json-splice.js";

const splice = (text: string, members: Record<string, unknown>) => withTopLevelMembers(Buffer.from(text, "utf8"), members)?.toString("utf8");

test("the result parses to the object with the members set, whatever the layout", () => {
  // Keys that are to be set occur often, so both replacing and adding are exercised.
  const objects = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("model", "inference_geo")), fc.jsonValue(), { maxKeys: 8 });
  const layouts = fc.constantFrom<undefined | number | string>(undefined, 0, 2, "\t", " \n ");
  const members = fc.record({ model: fc.string(), inference_geo: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ["model"] });
  fc.assert(
    fc.property(objects, layouts, members, (object, layout, set) => {
      const wanted = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
      const text = JSON.stringify(object, null, layout);
      const result = splice(text, wanted);
      assert.notEqual(result, undefined);
      // Through JSON on both sides: fc.jsonValue() makes -0, which JSON.stringify writes as 0.
      assert.deepEqual(JSON.parse(result as string), JSON.parse(JSON.stringify({ ...object, ...wanted })));
    }),
  );
});

test("everything but the replaced value stays byte for byte", () => {
  const original = '{\n  "model" : "claude-x",\t"n": 12345678901234567890, "f": 1.0, "s": "a \\"model\\": \\u00e9 } ]",\n  "nested": {"model": "keep"}, "z": [1.50e1]\n}';
  assert.equal(splice(original, { model: "upstream-id" }), original.replace('"claude-x"', '"upstream-id"'));
});

test("a missing member is added at the front; an empty object gets it alone", () => {
  assert.equal(splice('{"model":"m","messages":[]}', { model: "u", inference_geo: "us" }), '{"inference_geo":"us","model":"u","messages":[]}');
  assert.equal(splice(" { } ", { model: "u" }), ' {"model":"u" } ');
});

test("an escaped key is the same key", () => {
  assert.equal(splice('{"mod\\u0065l": "a", "b": 2}', { model: "u" }), '{"mod\\u0065l": "u", "b": 2}');
});

test("when the splice cannot be exact it gives up (the caller serialises the parsed body)", () => {
  // Which of two "model" members an upstream honours is its own choice.
  assert.equal(splice('{"model": "a", "model": "b"}', { model: "u" }), undefined);
  // JSON.parse saw replacement characters for invalid UTF-8; the bytes would say something else.
  assert.equal(withTopLevelMembers(Buffer.concat([Buffer.from('{"model": "a", "s": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), { model: "u" }), undefined);
  assert.equal(splice("[1, 2]", { model: "u" }), undefined);
  assert.equal(splice('"text"', { model: "u" }), undefined);
});
