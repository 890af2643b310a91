#!/usr/bin/env bash
# Installs everything hazardlab needs on Debian 12, by package name.
# Idempotent; run as root (or with sudo available).
set -euo pipefail

packages=(
  cmake ninja-build             # build (CMake >= 3.25 for workflow presets)
  clang libclang-rt-14-dev      # compiler and the TSan/ASan/UBSan/LSan runtimes
  llvm                          # llvm-symbolizer: sanitizer reports' lines, and the case lines of
                                #   controlled runs' deadlocks, stalls and traces
  googletest                    # GoogleTest sources, built with each preset's sanitizer flags
  libabsl-dev                   # Abseil: flags, strings, formatting (never its Mutex under TSan)
  nlohmann-json3-dev            # JSON output
  libbenchmark-dev              # Google Benchmark for bench/
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "ci/install.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "ci/install.sh: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
