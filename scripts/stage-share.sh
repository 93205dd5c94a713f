#!/usr/bin/env bash
# Lays out the desktop integration files in a share/ tree (as under /usr/share or ~/.local/share):
#   OUT/applications/io.github.tempinbox.TempInbox.desktop
#   OUT/metainfo/io.github.tempinbox.TempInbox.metainfo.xml
#   OUT/icons/hicolor/scalable/apps/io.github.tempinbox.TempInbox.svg
#   OUT/icons/hicolor/NxN/apps/io.github.tempinbox.TempInbox.png   (16 … 512, from the SVG)
# The PNGs are drawn with rsvg-convert (librsvg2-bin), else ImageMagick; --require-png makes a missing
# converter an error (make dist), otherwise only the SVG is laid out (make install-desktop).
# Usage: scripts/stage-share.sh OUT [--require-png]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: stage-share.sh OUT [--require-png]}
require_png=${2:-}
id=io.github.tempinbox.TempInbox
svg="$repo/resources/icons/temp-inbox.svg"
sizes=(16 22 24 32 48 64 128 256 512)

rm -rf "$out"
install -Dm644 "$repo/packaging/$id.desktop" "$out/applications/$id.desktop"
install -Dm644 "$repo/packaging/$id.metainfo.xml" "$out/metainfo/$id.metainfo.xml"
install -Dm644 "$svg" "$out/icons/hicolor/scalable/apps/$id.svg"

render() {  # SIZE OUTPUT
  if command -v rsvg-convert >/dev/null 2>&1; then
    rsvg-convert -w "$1" -h "$1" "$svg" -o "$2"
  elif [ -x /usr/bin/convert ]; then
    /usr/bin/convert -background none -density 384 "$svg" -resize "$1x$1" "$2"
  else
    return 1
  fi
}
for size in "${sizes[@]}"; do
  dir="$out/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  if ! render "$size" "$dir/$id.png"; then
    rmdir "$dir"
    if [ "$require_png" = "--require-png" ]; then
      echo "stage-share: no SVG converter (install librsvg2-bin: scripts/system-deps.sh --dist)" >&2
      exit 1
    fi
    echo "stage-share: no rsvg-convert or ImageMagick: only the SVG icon is installed" >&2
    break
  fi
  chmod 644 "$dir/$id.png"
done
