#!/usr/bin/env bash
# The learner's loop on a copy of the source tree (the repository's own
# exercises/ is never touched): start an exercise, check it red, make a
# wrong or fake fix and see it stay red, make the right fix and see it green;
# for lost_update, lock_order_deadlock and lost_wakeup. Then the started
# exercises run as CTest tests (-L exercises).
# usage: exercises_loop.sh SOURCE_DIR WORKDIR [COMPILER_CACHE_DIR]
# With a compiler cache (cmake/compiler_cache.cmake), the copy is built from
# the dev build's cache: only the exercises and the files that embed the
# copy's own paths compile.
set -uo pipefail
source_dir=$1
work=$2
cache_args=()
if [[ -n ${3:-} ]]; then
  cache_args=("-DHAZARDLAB_COMPILER_CACHE_DIR=$3" "-DHAZARDLAB_COMPILER_CACHE_BASEDIR=$source_dir")
fi
rm -rf "$work"
mkdir -p "$work/src"
git -C "$source_dir" ls-files -z | (cd "$source_dir" && xargs -0 cp --parents -t "$work/src")
cd "$work/src" || exit 1
echo "configuring and building a copy in $work/src"
cmake --preset dev "${cache_args[@]}" >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build build/dev --target hazardlab >"$work/build.log" 2>&1 || { tail -50 "$work/build.log"; exit 1; }
hazardlab=build/dev/hazardlab

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN COMMAND...: the exit code and an extended regex over the output.
expect() {
  local want=$1 pattern=$2 out code
  shift 2
  out=$("$@" 2>&1)
  code=$?
  printf '$ %s\n%s\n' "$*" "$out"
  [[ $code -eq $want ]] || fail "$*: exit $code, want $want"
  grep -Eq -- "$pattern" <<<"$(tr -d '\n' <<<"$out")" || fail "$*: output lacks $pattern"
}

# edit FILE OLD NEW: replaces text in the learner's file; the test fails if OLD is not there.
edit() {
  python3 - "$@" <<'PY' || fail "edit of $1: text not found"
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
if old not in text:
    sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
}

# lost_update: red with a forbidden count; locking only the write stays red;
# the whole read-modify-write under the lock is green.
expect 0 "wrote .*exercises/lost_update.cc" $hazardlab exercise start lost_update
expect 2 "exists: it is yours; not overwritten" $hazardlab exercise start lost_update
expect 1 "FAIL outcome .*outcome [0-9]+: increments were overwritten.*failing.*hint:" $hazardlab exercise check lost_update
expect 0 "lost_update +failing" $hazardlab exercise list
file=exercises/lost_update.cc
edit $file "  int counter = 0;
  threads.run" "  int counter = 0;
  Mutex mutex;
  threads.run"
edit $file "      counter = seen + 1;" "      std::lock_guard lock(mutex);
      counter = seen + 1;"
expect 1 "FAIL outcome .*increments were overwritten.*hint: the case's own fixes use" $hazardlab exercise check lost_update
edit $file "      const int seen = counter;
      yield_point();
      std::lock_guard lock(mutex);" "      std::lock_guard lock(mutex);
      const int seen = counter;
      yield_point();"
expect 0 "pass outcome \(random\).*pass outcome \(pct\).*passing" $hazardlab exercise check lost_update
expect 0 "lost_update +passing" $hazardlab exercise list

# lock_order_deadlock: red with a deadlock at each thread's lock; one global
# lock order is green.
expect 0 "wrote" $hazardlab exercise start lock_order_deadlock
expect 1 "FAIL outcome \(pct\) +deadlock .*thread 1 waits in lock at exercises/lock_order_deadlock.cc:[0-9]+.*thread 2 waits in lock at exercises/" \
  $hazardlab exercise check lock_order_deadlock
file=exercises/lock_order_deadlock.cc
edit $file "        LockGuard hold_first(locks.b);
        yield_point();  // holding one, about to wait for the other
        LockGuard hold_second(locks.a);" "        LockGuard hold_first(locks.a);
        yield_point();  // holding one, about to wait for the other
        LockGuard hold_second(locks.b);"
expect 0 "passing" $hazardlab exercise check lock_order_deadlock

# lost_wakeup: red; a fake fix (sleep before notifying, so the listener is
# usually waiting already) still fails a detector; without the sleep, a
# predicate wait is green.
expect 0 "wrote" $hazardlab exercise start lost_wakeup
expect 1 "FAIL .*failing" $hazardlab exercise check lost_wakeup
file=exercises/lost_wakeup.cc
edit $file '#include "harness/case.h"' '#include <thread>

#include "harness/case.h"'
edit $file "        announced.notify_one();" "        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        announced.notify_one();"
expect 1 "FAIL outcome \(pct\).*failing" $hazardlab exercise check lost_wakeup
# The learner takes the sleep out again: left in, it makes each of the
# check's thousand pct schedules wait (22 s measured, and as much again in
# the ctest run below).
edit $file "        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        announced.notify_one();" "        announced.notify_one();"
edit $file "    int value = 0;" "    bool ready = false;
    int value = 0;"
edit $file "          value = kAnnouncement;" "          value = kAnnouncement;
          ready = true;"
edit $file "announced.wait(lock);" "announced.wait(lock, [&] { return ready; });"
expect 0 "passing" $hazardlab exercise check lost_wakeup

# A course's CI: every started exercise is a CTest test, green once fixed.
expect 0 "100% tests passed" ctest --test-dir build/dev -L exercises -j2
# Broken again, lost_update's exercise tests fail (the others' need no rerun).
edit exercises/lost_update.cc "      std::lock_guard lock(mutex);
      const int seen" "      const int seen"
cmake --build build/dev --target hazardlab >/dev/null 2>&1
expect 8 "lost_update\.exercise.*Failed" ctest --test-dir build/dev -L exercises -R "^lost_update[.]" -j2

((failures == 0)) || { echo "$failures failures"; exit 1; }
echo "the learner's loop works"
