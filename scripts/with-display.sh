#!/usr/bin/env bash
# Runs a command under a virtual screen (Xvfb) when there is no display, and always inside a
# private D-Bus session so tests never touch the user's desktop session.
set -euo pipefail
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # -displayfd: Xvfb takes the first free display number itself and says which, so two runs started
  # at the same moment never end up on one screen.
  displayfd=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$displayfd" >/dev/null 2>&1 &
  xvfb_pid=$!
  trap 'kill $xvfb_pid 2>/dev/null || true; rm -f "$displayfd"' EXIT
  for _ in $(seq 300); do [ -s "$displayfd" ] && break; sleep 0.1; done
  display=":$(head -n1 "$displayfd")"
  [ "$display" != ":" ] || { echo "with-display.sh: Xvfb did not start" >&2; exit 1; }
  export DISPLAY="$display"
fi
if [ -z "${TEMP_INBOX_IN_DBUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  export TEMP_INBOX_IN_DBUS=1
  dbus-run-session -- "$@"
else
  "$@"
fi
