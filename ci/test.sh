#!/usr/bin/env bash
# The whole test suite: configure, build and test the dev, tsan and asan
# presets (one CMake workflow each). This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
for preset in dev tsan asan; do
  echo "== cmake --workflow --preset $preset"
  start=$SECONDS
  cmake --workflow --preset "$preset"
  echo "== $preset: $((SECONDS - start)) s"
done
