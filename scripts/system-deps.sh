#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Temp Inbox needs (Qt's xcb plugin, QtWebEngine's libraries,
# and for tests a virtual screen, D-Bus session tools, a notification daemon, a tray host, a
# Secret Service keyring and the desktop-file/AppStream validators; with --dist also what `make dist`
# builds the release with). As root it installs what is missing with apt-get; as a normal user it
# names the missing packages and the command to install them, and carries on (exits 1 with --test or
# --dist, whose targets cannot run without them).
set -euo pipefail

runtime=(libglib2.0-0 libdbus-1-3 libfontconfig1 libnss3 libasound2 libegl1 libgl1 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcomposite1 libxdamage1 libxrandr2
  libxtst6 libxkbfile1 fonts-dejavu-core)
testing=(xvfb xauth dbus dunst haskell-status-notifier-item-utils gnome-keyring libsecret-tools
  xclip xdotool imagemagick desktop-file-utils appstream)
# make dist: PyInstaller reads ELF files with objdump (binutils), patchelf drops the build machine's
# RUNPATHs, the icons' PNGs are drawn with rsvg-convert, the .deb is checked with lintian.
dist=(binutils patchelf librsvg2-bin xz-utils lintian)

wanted=("${runtime[@]}")
case "${1:-}" in
  --test) wanted+=("${testing[@]}") ;;
  --dist) wanted+=("${testing[@]}" "${dist[@]}") ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure Qt 6 / QtWebEngine libraries are installed." >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-deps: these system packages are missing: ${missing[*]}" >&2
  echo "system-deps: install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  if [ -n "${1:-}" ]; then exit 1; fi
fi
