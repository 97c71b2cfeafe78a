#!/usr/bin/env bash
# Loads a `funcreg compare` report in headless Chromium (Debian: `apt-get install -y chromium`) and saves a
# screenshot, so the page can be checked without a desktop:  scripts/screenshot-report.sh report.html out.png
# The page is opened from disk with networking features off: it must render with no network at all.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 REPORT.html OUT.png" >&2
  exit 2
fi
report=$1
out=$2
[ -f "$report" ] || { echo "error: $report does not exist" >&2; exit 2; }
browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
[ -n "$browser" ] || { echo "error: chromium not found (Debian/Ubuntu: sudo apt-get install -y chromium)" >&2; exit 3; }
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$out_abs"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$out_abs" --window-size="${WINDOW_SIZE:-1400,2400}" "$url" >/dev/null 2>&1 || true
if [ ! -s "$out_abs" ]; then
  echo "error: $browser wrote no screenshot to $out_abs" >&2
  exit 1
fi
echo "$out_abs"
