/**
 * The journal's own guarantees (src/ledger/journal.ts): a failed append leaves no part of its line
 * behind, a failed rotation leaves the journal writing where it was, and the directory's lock is
 * the kernel's, so it is refused while its holder lives and free the moment it dies.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Journal, JournalInUseError, readSegment } from "../../src/ledger/journal.js";
import { sampleRow } from "./sample-rows.js";

const JOURNAL_MODULE = fileURLToPath(new URL("../../src/ledger/journal.js", import.meta.url));

function scratch(): { dir: string; journalDir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-journal-"));
  return { dir, journalDir: join(dir, "journal"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test("an append cut short (the file size limit) leaves no part of its line: the next line that fits is whole and readable", (t) => {
  const paths = scratch();
  t.after(paths.done);
  // A child whose files may not pass 4 KiB (ulimit -f counts 1 KiB blocks), SIGXFSZ ignored so the
  // write fails with EFBIG instead. Lines of 1,000 bytes: four fit, the fifth is cut after 96 bytes.
  const script = `
    import { Journal, readSegment } from ${JSON.stringify(JOURNAL_MODULE)};
    const journal = Journal.open(${JSON.stringify(paths.journalDir)});
    const line = (id, size) => { const base = JSON.stringify({ request_id: id, pad: "" }); return base.slice(0, -2) + "x".repeat(size - base.length - 1) + '"}\\n'; };
    const outcomes = [];
    for (const [id, size] of [["a", 1000], ["b", 1000], ["c", 1000], ["d", 1000], ["e", 1000], ["f", 60]]) {
      try { journal.append(line(id, size)); outcomes.push(id + ":ok"); } catch (error) { outcomes.push(id + ":" + error.code); }
    }
    const path = journal.rotate();
    console.log(JSON.stringify({ outcomes, text: (await import("node:fs")).readFileSync(path, "utf8") }));
  `;
  const child = spawnSync("bash", ["-c", `trap '' XFSZ; ulimit -f 4; exec "${process.execPath}" --input-type=module -e "$SCRIPT"`], {
    env: { ...process.env, SCRIPT: script },
    encoding: "utf8",
  });
  assert.equal(child.status, 0, child.stderr);
  const { outcomes, text } = JSON.parse(child.stdout) as { outcomes: string[]; text: string };
  assert.deepEqual(outcomes, ["a:ok", "b:ok", "c:ok", "d:ok", "e:EFBIG", "f:ok"]);
  const lines = text.split("\n");
  assert.equal(lines.pop(), "", "the segment ends with a whole line");
  assert.deepEqual(lines.map((line) => (JSON.parse(line) as { request_id: string }).request_id), ["a", "b", "c", "d", "f"]);
});

test("a rotation that cannot make the next segment throws and leaves the journal appending to the current one", (t) => {
  const paths = scratch();
  t.after(paths.done);
  const journal = Journal.open(paths.journalDir);
  t.after(() => journal.close());
  const first = `${JSON.stringify(sampleRow({ request_id: "first" }))}\n`;
  const second = `${JSON.stringify(sampleRow({ request_id: "second" }))}\n`;
  journal.append(first);
  // The directory moves away (its open segment with it): the next segment cannot be created.
  const moved = join(paths.dir, "moved");
  renameSync(paths.journalDir, moved);
  assert.throws(() => journal.rotate(), /ENOENT/);
  // A file opened now gets the lowest free descriptor: had the rotation closed the segment, this one.
  const bystander = join(paths.dir, "bystander");
  const fd = openSync(bystander, "w");
  try {
    journal.append(second);
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(bystander, "utf8"), "", "no ledger line went into another file");
  renameSync(moved, paths.journalDir);
  const sealed = journal.rotate();
  assert.ok(sealed);
  assert.deepEqual(readSegment(sealed).rows.map((row) => row.request_id), ["first", "second"]);
});

test("the journal lock: refused while another process holds it (naming it), free the moment that process is killed, refused to a second open in the same process", async (t) => {
  const paths = scratch();
  t.after(paths.done);
  mkdirSync(paths.journalDir, { recursive: true });
  // A lock file of the old kind (a pid) is not a lock any more; it is removed.
  writeFileSync(join(paths.journalDir, "writer.lock"), "1\n");
  // The holder keeps its journal reachable, as a gateway's writer does: a collected Journal's lock
  // connection is closed by its finalizer, and the lock goes with it.
  const holder = spawn(process.execPath, ["--input-type=module", "-e", `import { Journal } from ${JSON.stringify(JOURNAL_MODULE)}; globalThis.journal = Journal.open(${JSON.stringify(paths.journalDir)}); console.log("locked"); setInterval(() => {}, 1000);`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => holder.kill("SIGKILL"));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once("data", () => resolve());
    holder.once("exit", (code) => reject(new Error(`the holder exited (${code}) before taking the lock`)));
  });
  assert.equal(existsSync(join(paths.journalDir, "writer.lock")), false);
  assert.throws(
    () => Journal.open(paths.journalDir),
    (error: unknown) => {
      assert.ok(error instanceof JournalInUseError, String(error));
      assert.match(error.message, new RegExp(`pid ${holder.pid} on host`));
      return true;
    },
  );

  const exited = new Promise((resolve) => holder.once("exit", resolve));
  holder.kill("SIGKILL");
  await exited;
  // No stale lock to wait out or remove by hand: the kernel released it with the process.
  const journal = Journal.open(paths.journalDir);
  try {
    assert.match(readFileSync(join(paths.journalDir, "journal.owner"), "utf8"), new RegExp(`^pid ${process.pid} on host `));
    assert.throws(() => Journal.open(paths.journalDir), JournalInUseError);
  } finally {
    journal.close();
  }
  // Closed: free again.
  Journal.open(paths.journalDir).close();
});
