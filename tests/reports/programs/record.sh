#!/usr/bin/env bash
# Records sanitizer reports of a small program that is not a case (shop/: its
# own code in src/, a vendored library in third_party/), for the tests of
# `hazardlab classify` on any program's log. The recordings show the program
# as if built in /home/dev/shop, as on an engineer's machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/shop" "$work/shop"
cd "$work/shop"

build() {  # build BINARY SANITIZER
  clang++ -std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize="$2" -I third_party \
    "$work/shop/src/orders.cc" -o "$work/$1"
}
build orders_tsan thread
build orders_asan address

record() {  # record OUTPUT BINARY MODE
  "$work/$2" "$3" 2>&1 | sed "s#$work/shop#/home/dev/shop#g; s#$work#/home/dev/shop/build#g" > "$here/$1" || true
}
record orders_tsan_race.txt orders_tsan race
record orders_asan_use_after_free.txt orders_asan use_after_free
