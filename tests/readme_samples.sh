#!/usr/bin/env bash
# Checks that the README's sample output is what the program prints today.
# A sample is a fenced block whose first line is `$ build/PRESET/hazardlab ...`;
# the blocks of this build's preset are run, and every line of the sample must
# appear in the real output, in order, up to numbers and spacing (counts and
# times differ from run to run; words, order and format may not). A line
# "..." stands for lines left out.
#
#   tests/readme_samples.sh README PRESET HAZARDLAB
set -uo pipefail
readme="$1" preset="$2" binary="$3"

# How many seeds a histogram row lists varies with its count: "seed N",
# "seeds N, N" and "seeds N, N, N, N, N, ..." are the same line.
normalize() { sed -E 's/[0-9]+/N/g; s/seeds? N(, N)*(, \.\.\.)?/seeds/; s/[[:space:]]+/ /g; s/^ //; s/ $//'; }

checked=0 failed=0
check_block() {  # check_block COMMAND_LINE SAMPLE_FILE
  local command_line="$1" sample="$2"
  local -a words
  read -ra words <<<"$command_line"
  [[ ${words[0]} == "build/$preset/hazardlab" ]] || return 0
  # argv[0] as the README shows it: the replay line repeats it.
  local output
  output="$(exec -a "${words[0]}" "$binary" "${words[@]:1}" 2>&1)"
  checked=$((checked + 1))
  local -a want have
  mapfile -t want < <(normalize <"$sample")
  mapfile -t have < <(normalize <<<"$output")
  local i=0 line
  for line in "${want[@]}"; do
    [[ -z $line || $line == "..." ]] && continue
    while ((i < ${#have[@]})) && [[ ${have[i]} != "$line" ]]; do i=$((i + 1)); done
    if ((i == ${#have[@]})); then
      echo "README sample of '\$ $command_line': this line is not in the output (in order):"
      echo "  $line"
      echo "the output:"
      echo "$output"
      failed=$((failed + 1))
      return
    fi
    i=$((i + 1))
  done
  echo "ok: \$ $command_line"
}

sample="$(mktemp)"
trap 'rm -f "$sample"' EXIT
in_block=0 command_line=""
while IFS= read -r line; do
  if [[ $line == '```'* ]]; then
    if ((in_block)); then
      [[ -n $command_line ]] && check_block "$command_line" "$sample"
      in_block=0
    else
      in_block=1 command_line="" first=1
      : >"$sample"
    fi
    continue
  fi
  ((in_block)) || continue
  if ((first)); then
    first=0
    [[ $line == '$ build/'* ]] && { command_line="${line#\$ }"; continue; }
  fi
  [[ -n $command_line ]] && printf '%s\n' "$line" >>"$sample"
done <"$readme"

if ((checked == 0)); then
  echo "README.md has no sample of build/$preset/hazardlab to check"
  exit 1
fi
echo "$checked sample(s), $failed not as printed"
((failed == 0))
