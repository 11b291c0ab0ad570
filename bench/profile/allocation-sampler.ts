import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Loaded into the server with `--require dist/bench/profile/allocation-sampler.js`: samples every
 * allocation (one per `CMR_ALLOC_SAMPLE_BYTES`, default 8 KB), the garbage included, which `--heap-prof`
 * leaves out (it reports what is still live at exit). Each SIGUSR2 writes what was allocated since the
 * previous one (or since start) to `CMR_ALLOC_PROFILE_DIR`/alloc-<pid>-<n>.heapprofile, then samples
 * on: two signals N seconds apart give the allocations of those N seconds. `print-allocations.js` sums
 * a profile by function.
 */
const interval = Number(process.env.CMR_ALLOC_SAMPLE_BYTES ?? 8192);
const dir = process.env.CMR_ALLOC_PROFILE_DIR ?? '.';
const options = {
  samplingInterval: interval,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
};
const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', options);
let written = 0;
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (!error) {
      written++;
      writeFileSync(join(dir, `alloc-${process.pid}-${written}.heapprofile`), JSON.stringify(result.profile));
    }
    session.post('HeapProfiler.startSampling', options);
  });
});
