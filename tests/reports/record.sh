#!/usr/bin/env bash
# Re-records the sanitizer reports the classifier tests read. Run from
# anywhere; needs clang++ with the sanitizer runtimes (ci/install.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

clang++ -std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=thread "$here/cases/hazards.cc" -o "$work/tsan"
clang++ -std=c++20 -g -O0 -fno-omit-frame-pointer -fsanitize=address,undefined "$here/cases/hazards.cc" -o "$work/asan"
clang++ -std=c++20 -g -O0 "$here/cases/hazards.cc" -o "$work/native"
# DWARF 4 for Valgrind 3.19 (valgrind/valgrind.cmake says why).
clang++ -std=c++20 -g -gdwarf-4 -O0 -fno-omit-frame-pointer "$here/cases/hazards.cc" -o "$work/valgrind"

# Recordings must not carry this machine's paths: the project root becomes /src.
record() {  # record OUTPUT BINARY MODE [ENV...]
  local out="$1" binary="$2" mode="$3"; shift 3
  env "$@" "$work/$binary" "$mode" 2>&1 | sed "s#$root#/src#g; s#$work#/build#g" > "$here/$out" || true
}
# The same program under Valgrind's thread-error tools, with the options the
# helgrind and drd builds use (less the suppressions: nothing of the harness
# runs here). Each line carries the process id, which varies: the classifier
# must not care.
record_valgrind() {  # record_valgrind OUTPUT TOOL MODE
  local out="$1" tool="$2" mode="$3"
  valgrind --tool="$tool" -q --fullpath-after= --num-callers=24 "$work/valgrind" "$mode" 2>&1 |
    sed "s#$root#/src#g; s#$work#/build#g" > "$here/$out" || true
}
record tsan_data_race.txt tsan race TSAN_OPTIONS=halt_on_error=0
record tsan_lock_order_inversion.txt tsan lock_order
record tsan_thread_leak.txt tsan thread_leak
record tsan_heap_use_after_free.txt tsan tsan_use_after_free
record tsan_double_lock.txt tsan double_lock TSAN_OPTIONS=report_mutex_bugs=1
record tsan_unlock_unlocked.txt tsan unlock_unlocked
record tsan_destroy_locked.txt tsan destroy_locked
record tsan_signal_unsafe.txt tsan signal_unsafe
record asan_heap_use_after_free.txt asan asan_use_after_free
record asan_double_free.txt asan double_free
record asan_stack_use_after_scope.txt asan use_after_scope
record asan_heap_buffer_overflow.txt asan overflow
record lsan_leak.txt asan leak ASAN_OPTIONS=detect_leaks=1
record ubsan_overflow.txt asan ubsan UBSAN_OPTIONS=print_stacktrace=1
record terminate.txt native terminate
record_valgrind helgrind_data_race.txt helgrind race
record_valgrind helgrind_lock_order.txt helgrind lock_order
record_valgrind helgrind_unlock_not_locked.txt helgrind unlock_not_locked
record_valgrind helgrind_unlock_invalid.txt helgrind unlock_unlocked
record_valgrind helgrind_destroy_locked.txt helgrind destroy_locked
record_valgrind drd_data_race.txt drd race
record_valgrind drd_unlock_not_locked.txt drd unlock_not_locked
record_valgrind drd_not_a_mutex.txt drd unlock_unlocked
record_valgrind drd_destroy_locked.txt drd destroy_locked

# Abseil's Mutex deadlock detector, as the absl build's trial child prints it
# (cmake --workflow --preset absl first): a lock-order cycle (two mutexes) and
# a Mutex locked again by its holder (a cycle of one). One trial each, run
# the way the harness runs it (the child's own protocol: case, variant,
# scheduler, seed, depth, steps, interval, trace, count; fd 3 is its result
# channel, not needed here).
absl="$root/build/absl/hazardlab"
if [[ -x $absl ]]; then
  record_absl() {  # record_absl OUTPUT CASE
    "$absl" --hazardlab-trial "$2" broken random 1 3 0 1 0 1 share 3>/dev/null 2>&1 |
      sed "s#$root#/src#g" > "$here/$1" || true
  }
  record_absl absl_potential_deadlock.txt lock_order_deadlock
  record_absl absl_self_deadlock.txt self_deadlock
else
  echo "record.sh: no build/absl/hazardlab: the absl recordings are left as they are" >&2
fi
