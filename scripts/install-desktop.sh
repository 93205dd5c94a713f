#!/usr/bin/env bash
# Installs Temp Inbox's desktop entry, AppStream metainfo and icons for the current user, under
# ${XDG_DATA_HOME:-~/.local/share}, with the desktop entry's Exec lines pointing at EXECUTABLE.
# `make install-desktop` uses it for a clone (EXECUTABLE = .venv/bin/temp-inbox); the release tarball
# ships it beside the app (EXECUTABLE = the unpacked temp-inbox binary).
# Usage: install-desktop.sh EXECUTABLE [SHARE_DIR]    (SHARE_DIR: a tree from stage-share.sh;
#                                                     default: share/ beside this script)
#        install-desktop.sh --uninstall
set -euo pipefail
id=io.github.tempinbox.TempInbox
target=${XDG_DATA_HOME:-$HOME/.local/share}
here=$(cd "$(dirname "$0")" && pwd)

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$target/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$target/icons/hicolor/index.theme" ] \
    && gtk-update-icon-cache -q -t "$target/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$target/applications/$id.desktop" "$target/metainfo/$id.metainfo.xml"
  rm -f "$target"/icons/hicolor/*/apps/"$id".svg "$target"/icons/hicolor/*/apps/"$id".png
  refresh
  echo "Removed Temp Inbox's desktop entry and icons from $target"
  exit 0
fi

exe=${1:?usage: install-desktop.sh EXECUTABLE [SHARE_DIR] | --uninstall}
share=${2:-$here/share}
case "$exe" in /*) ;; *) exe="$(pwd)/$exe" ;; esac
[ -x "$exe" ] || { echo "install-desktop: $exe is not an executable" >&2; exit 1; }
[ -f "$share/applications/$id.desktop" ] || { echo "install-desktop: no desktop entry in $share" >&2; exit 1; }
case "$exe" in *[\"\`\$\\]*) echo "install-desktop: unsupported character in $exe" >&2; exit 1 ;; esac

mkdir -p "$target/applications" "$target/metainfo"
# The Desktop Entry spec: an argument with spaces is quoted with double quotes.
quoted=$exe
case "$exe" in *" "*) quoted="\"$exe\"" ;; esac
sed "s|^Exec=temp-inbox|Exec=$quoted|" "$share/applications/$id.desktop" >"$target/applications/$id.desktop"
chmod 644 "$target/applications/$id.desktop"
install -m644 "$share/metainfo/$id.metainfo.xml" "$target/metainfo/$id.metainfo.xml"
(cd "$share/icons" && find hicolor -type f -name "$id.*") | while read -r icon; do
  install -Dm644 "$share/icons/$icon" "$target/icons/$icon"
done
refresh
echo "Installed Temp Inbox's desktop entry ($exe) and icons into $target"
