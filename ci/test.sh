#!/usr/bin/env bash
# The whole test suite: configure, build and test the dev, tsan, asan and
# thread-safety presets (one CMake workflow each). This is what CI runs.
# thread-safety is compile-only (each case file once more with clang's
# -Wthread-safety, no trials): about a minute after dev, whose compiler cache
# it shares for the command it builds.
set -euo pipefail
cd "$(dirname "$0")/.."
for preset in dev tsan asan thread-safety; do
  echo "== cmake --workflow --preset $preset"
  start=$SECONDS
  cmake --workflow --preset "$preset"
  # Wall time, and the CPU time used by everything so far (bash's `times`:
  # children's user and system time): over 2 cores, the part of the wall
  # time no CPU was used in is what running presets side by side could use.
  echo "== $preset: $((SECONDS - start)) s; CPU time so far, this script's then its children's (user system):"
  times
done
