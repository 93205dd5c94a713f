#!/usr/bin/env bash
# Runs a command under a virtual screen (Xvfb) when there is no display, and always inside a
# private D-Bus session so tests never touch the user's desktop session.
set -euo pipefail
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  for n in $(seq 90 140); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display=":$n"; break; }
  done
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  export DISPLAY="$display"
fi
if [ -z "${TEMP_INBOX_IN_DBUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  export TEMP_INBOX_IN_DBUS=1
  dbus-run-session -- "$@"
else
  "$@"
fi
