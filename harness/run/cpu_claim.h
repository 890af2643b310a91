#pragma once

namespace hazardlab {

// Keeps the calling thread, and every thread it creates from now on, on one
// CPU, and returns that CPU (-1 if the system would not say).
//
// Only one thread of a controlled run runs at a time, so one CPU costs the
// run nothing, and keeping its threads there keeps each handoff on one run
// queue: the woken thread takes the CPU the waker gives up. But two children
// that pin themselves to the same CPU (ctest -j2, shards of an exploration)
// share it for as long as they live, each at half speed, while another CPU
// idles. So each process claims a CPU no other hazardlab process holds, by
// an exclusive lock on a file per CPU in the temporary directory; the kernel
// drops the lock when the process ends, however it ends. When every CPU is
// claimed, the process stays on the one it runs on. The first call claims;
// later calls keep the claim.
int stay_on_one_cpu();

}  // namespace hazardlab
