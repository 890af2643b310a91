#!/usr/bin/env bash
# Writes each case's lesson (`hazardlab explain CASE`) to DIR/CASE.txt, for
# the matrix page's links. usage: lessons.sh HAZARDLAB DIR
set -euo pipefail
hazardlab=$1 dir=$2
mkdir -p "$dir"
for c in $("$hazardlab" list --format=json | python3 -c 'import json, sys; print(" ".join(c["name"] for c in json.load(sys.stdin)))'); do
  "$hazardlab" explain "$c" >"$dir/$c.txt"
done
