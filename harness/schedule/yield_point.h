#pragma once

namespace hazardlab {

// Marks the place in case code where a thread switch exposes the hazard: the
// notebooks' `time.sleep(0)` between a read and a write.
//
// With no scheduler active it costs an out-of-line call and one branch
// (measured in bench/yield_point_bench.cc). It is also a compiler barrier: a
// racy read-modify-write written around it cannot be folded into a single
// load and store, so the race stays real at -O2.
void yield_point() noexcept;

}  // namespace hazardlab
