#!/usr/bin/env bash
# Installs the real servers the integration tests run against, when they are missing: Prometheus (with promtool),
# carbon-cache and whisper-fetch (graphite-carbon), graphite-web (its render API answers the shipped Graphite
# dashboard's queries; run with Debian's /usr/bin/python3, whose packages it is), wrk; what Native AOT links with
# (clang, zlib headers), for the package test that publishes a consumer with PublishAot; Chromium, which the
# dashboard's browser tests drive through Playwright (never Playwright's own browser download). Debian packages; needs
# root (CI and dev machines run as root).
set -euo pipefail
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v carbon-cache >/dev/null || missing+=(graphite-carbon)
command -v whisper-fetch >/dev/null || missing+=(python3-whisper)
/usr/bin/python3 -c 'import graphite.render' 2>/dev/null || missing+=(graphite-web)
command -v wrk >/dev/null || missing+=(wrk)
command -v clang >/dev/null || missing+=(clang)
[[ -e /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
command -v chromium >/dev/null || missing+=(chromium)
# A font with the glyphs the dashboard uses (arrows, dashes), so its screenshots read the same on every machine.
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) == 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
  # Debian starts the packaged daemons on their default ports; the tests start their own on free ports.
  for service in prometheus carbon-cache; do
    $sudo_cmd systemctl stop "$service" 2>/dev/null || true
  done
fi
for tool in prometheus promtool carbon-cache whisper-fetch clang chromium; do
  command -v "$tool" >/dev/null || { echo "install-deps: $tool is still missing" >&2; exit 1; }
done
/usr/bin/python3 -c 'import graphite.render' 2>/dev/null || { echo "install-deps: graphite-web is still missing" >&2; exit 1; }
