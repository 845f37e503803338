/**
 * Preloaded into a gateway by `bench:alloc --sites` (`node --import …/heap-sampler.js`): the first
 * SIGUSR2 starts V8's sampling heap profiler, counting objects a GC has since collected too (the
 * garbage is what this benchmark is about); the second stops it and writes the profile to
 * $HEAP_SAMPLE_OUT. The inspector session is in-process, so `post` answers synchronously.
 */
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";

const out = process.env.HEAP_SAMPLE_OUT;
if (!out) throw new Error("heap-sampler: set HEAP_SAMPLE_OUT to the file the profile goes to");
const session = new Session();
session.connect();
let sampling = false;
process.on("SIGUSR2", () => {
  if (!sampling) {
    sampling = true;
    session.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return;
  }
  sampling = false;
  session.post("HeapProfiler.stopSampling", (error, result) => {
    if (error) process.stderr.write(`heap-sampler: ${error.message}\n`);
    else writeFileSync(out, JSON.stringify(result.profile));
  });
});
