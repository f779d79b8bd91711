#!/usr/bin/env bash
# What the test suite needs beyond `npm ci`: the browser tests drive Debian's Chromium through
# playwright-core (nothing is downloaded from the network), and the dashboard's emoji need a font
# or screenshots show boxes. Installs each with apt only when it is missing, so running it again
# costs nothing. Used by README's test command and by .ci/run, so the two cannot drift.
set -euo pipefail

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
emoji_font=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

missing=()
if [ ! -x "$chromium_path" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable; unset it to use Debian's /usr/bin/chromium" >&2
    exit 1
  fi
  missing+=(chromium)
fi
[ -f "$emoji_font" ] || missing+=(fonts-noto-color-emoji)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "need root to install ${missing[*]}: run 'apt-get install ${missing[*]}' as root" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "installing ${missing[*]} for the browser tests (apt)"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
