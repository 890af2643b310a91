# Sourced by the tests that look at a page the way a person would: headless
# Chromium (Debian's `chromium`), the DOM it built and a screenshot, both from
# one start of the browser (a start costs seconds; a test renders several
# pages). Exits the test with 77 (skipped) where no chromium is installed.
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "no chromium on this machine (ci/install.sh installs it): skipped"
  exit 77
fi

# render FILE [PNG]: prints the DOM Chromium built from FILE (a malformed SVG
# becomes its error page) and, given PNG, writes a 1400x900 screenshot there.
render() {
  local shot=()
  [[ -n ${2:-} ]] && shot=(--window-size=1400,900 "--screenshot=$2")
  "$browser" --headless --no-sandbox --disable-gpu "${shot[@]}" --dump-dom "file://$1" 2>/dev/null
}
