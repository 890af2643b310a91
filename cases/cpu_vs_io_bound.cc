// CPU-bound vs I/O-bound work: what threads speed up, with and without a GIL (a benchmark lesson).
#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Threads make a program faster only when there is something for them to do
at the same time. Work that mostly waits (for a disk, a network, a sleep)
is I/O-bound: while one thread waits, another can wait too, and the waits
overlap. Work that mostly computes is CPU-bound: it gets faster only if the
threads really compute at the same time, on different cores.

CPython adds a twist: a thread must hold the global interpreter lock to run
Python code. It lets go of the lock while it waits for I/O, so waits still
overlap, but two threads never compute at once. The benchmark measures all
of it in C++, with an emulated GIL (one std::mutex held while running,
released at switch points and around blocking calls, as in the
gil_atomicity case):

  1. Eight tasks that each sleep 5 ms, one after another: about 40 ms
  2. The same eight tasks on eight threads: about 5 ms, the waits overlap
  3. The eight threads under the GIL: still about 5 ms, because each one
     releases the GIL while it sleeps
  4. A fixed amount of arithmetic on 1, 2 and 4 threads: faster with more
     threads, up to the number of free cores, and no faster beyond it
  5. The same arithmetic under the GIL: no faster on 2 or 4 threads than on
     one, and often slower: only the GIL's holder computes, and handing the
     lock between cores costs extra

This is why the notebooks send I/O-bound work to threads and CPU-bound work
to processes (each Python process has its own GIL), and why in C++, which
has no GIL, threads serve both, as long as the cores are free. Measure on
your own machine: the ratios depend on its cores and on what else it runs.
There is nothing to test here, so this case has no variants.)";

HAZARDLAB_CASE({
    .name = "cpu_vs_io_bound",
    .title = "Threads speed up waiting; a GIL stops them speeding up computing",
    .order = 220,
    .notebook = "threads help I/O-bound programs because the GIL is released while waiting, but do not "
                "speed up CPU-bound ones, for which multiprocessing is the tool",
    .lesson = kLesson,
    .benchmark = "cmake --build --preset dev --target cpu_vs_io_bound_bench && "
                 "build/dev/bench/cpu_vs_io_bound_bench  (compare real_time within each group)",
});

}  // namespace
}  // namespace hazardlab
