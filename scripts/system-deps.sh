#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Temp Inbox needs (Qt's xcb plugin, QtWebEngine's libraries,
# and for tests a virtual screen, D-Bus session tools, a notification daemon, a tray host and a
# Secret Service keyring). As root it installs what is missing with apt-get; as a normal user it
# names the missing packages and the command to install them, and carries on.
set -euo pipefail

runtime=(libglib2.0-0 libdbus-1-3 libfontconfig1 libnss3 libasound2 libegl1 libgl1 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcomposite1 libxdamage1 libxrandr2
  libxtst6 libxkbfile1 fonts-dejavu-core)
testing=(xvfb xauth dbus dunst haskell-status-notifier-item-utils gnome-keyring libsecret-tools
  xclip xdotool imagemagick desktop-file-utils appstream)

wanted=("${runtime[@]}")
[ "${1:-}" = "--test" ] && wanted+=("${testing[@]}")

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
  if [ "${1:-}" = "--test" ]; then exit 1; fi
fi
