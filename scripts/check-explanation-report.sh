#!/usr/bin/env bash
# Renders the synthetic explanation report (scripts/explanation-report) and checks, in headless Chromium, that the
# page shows every embedded picture. Manual check, not part of CI. Needs: the .NET SDK, chromium
# (Debian: apt-get install -y chromium), and Python 3 with Pillow and NumPy (python3-pil, python3-numpy).
# Usage: scripts/check-explanation-report.sh [output folder]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is not installed (Debian: apt-get install -y chromium)" >&2
  exit 2
fi

dotnet run --project "$root/scripts/explanation-report" -c Release -- "$out"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" \
  --hide-scrollbars --force-device-scale-factor=1 \
  --screenshot="$out/report.png" --window-size=1400,4200 "file://$out/report.html" 2>/dev/null

/usr/bin/python3 "$root/scripts/check_report_screenshot.py" "$out/report.html" "$out/report.png"
echo "Report: $out/report.html  Screenshot: $out/report.png"
