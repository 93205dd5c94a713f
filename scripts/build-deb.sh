#!/usr/bin/env bash
# The Debian package, from the frozen folder dist/temp-inbox/ (make dist builds it first):
#   /opt/temp-inbox/                 the app (binary + _internal/)
#   /usr/bin/temp-inbox              -> /opt/temp-inbox/temp-inbox
#   /usr/share/applications/io.github.tempinbox.TempInbox.desktop, /usr/share/metainfo/…metainfo.xml
#   /usr/share/icons/hicolor/{scalable,16x16…512x512}/apps/io.github.tempinbox.TempInbox.{svg,png}
#   /usr/share/doc/temp-inbox/{copyright,changelog.gz}
# Depends: the packages owning every system library that some ELF file in the folder needs and the
# folder does not bundle (found with ldd, mapped with dpkg -S), libc6 at the newest GLIBC symbol
# version used, and fontconfig-config (the bundled fontconfig reads /etc/fonts). Built with dpkg-deb,
# then checked with lintian when it is installed (its findings are printed, not fatal).
# Usage: scripts/build-deb.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: build-deb.sh VERSION}
id=io.github.tempinbox.TempInbox
app=dist/temp-inbox
root=build/deb/root
deb="dist/temp-inbox_${version}_amd64.deb"
[ -x "$app/temp-inbox" ] || { echo "build-deb: no $app/temp-inbox (run make dist)" >&2; exit 1; }
[ -d build/share ] || scripts/stage-share.sh build/share --require-png

rm -rf build/deb && mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/doc/temp-inbox"
cp -a "$app" "$root/opt/temp-inbox"
ln -s /opt/temp-inbox/temp-inbox "$root/usr/bin/temp-inbox"
cp -a build/share/applications build/share/metainfo build/share/icons "$root/usr/share/"

# --- Depends -------------------------------------------------------------------------------------
internal=$(cd "$root/opt/temp-inbox/_internal" && pwd)
libpath="$internal:$internal/PySide6/Qt/lib"
elfs=$(find "$root/opt/temp-inbox" -type f -exec sh -c 'head -c4 "$1" | grep -q "ELF" && echo "$1"' _ {} \;)
system_libs=$(for f in $elfs; do LD_LIBRARY_PATH=$libpath ldd "$f" 2>/dev/null || true; done \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$internal" | sort -u)
missing=$(for f in $elfs; do LD_LIBRARY_PATH=$libpath ldd "$f" 2>/dev/null || true; done \
  | awk '$2 == "=>" && $3 == "not" {print $1}' | sort -u)
[ -z "$missing" ] || echo "build-deb: warning: libraries found nowhere: $missing" >&2
owner() {  # the package that owns a library, also through merged /usr symlinks
  local path real
  for path in "$1" "$(realpath "$1")" "${1#/usr}" "$(realpath "$1" | sed 's|^/usr||')"; do
    dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  done
  echo "build-deb: warning: no package owns $1" >&2
}
packages=$(for lib in $system_libs; do owner "$lib"; done | sort -u | grep -v '^libc6$' || true)
glibc=$(for f in $elfs; do objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' || true; done \
  | sed 's/GLIBC_//' | sort -uV | tail -1)
depends="libc6 (>= $glibc)"
for pkg in $packages fontconfig-config; do depends="$depends, $pkg"; done

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: temp-inbox
Version: $version
Architecture: amd64
Maintainer: ${DEB_MAINTAINER:-The Temp Inbox contributors <maintainers@temp-inbox.invalid>}
Installed-Size: $installed_size
Depends: $depends
Recommends: gnome-keyring | kwalletmanager | keepassxc, xdg-utils, dbus-user-session
Suggests: fonts-noto-cjk, fonts-noto-color-emoji
Section: mail
Priority: optional
Description: disposable email inboxes on the desktop
 Temp Inbox manages many throw-away email addresses at once on
 mail.tm-compatible services or on its embedded local mail server. New mail
 shows the instant it arrives, one-time codes are copied from the notification,
 and HTML mail is shown in a sealed view that runs no script and loads nothing
 remote. Passwords are kept in the desktop's keyring (Secret Service).
 .
 This package holds a self-contained build (Python, Qt and QtWebEngine inside
 /opt/temp-inbox).
CONTROL

{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: temp-inbox"
  echo
  echo "Files: *"
  echo "License: MIT"
  sed 's/^$/./; s/^/ /' LICENSE
  echo
  echo "Files: opt/temp-inbox/_internal/*"
  echo "Comment: Python, Qt for Python (PySide6: LGPL-3.0-only), Qt 6 and QtWebEngine (LGPL-3.0-only,"
  echo " with Chromium's BSD-style and third-party licences) and the Python packages listed in"
  echo " opt/temp-inbox/_internal/*.dist-info, each under its own licence."
  echo "License: various"
} >"$root/usr/share/doc/temp-inbox/copyright"
# A native package's changelog.gz is a Debian changelog; the project's own goes beside it.
{
  echo "temp-inbox ($version) unstable; urgency=medium"
  echo
  echo "  * Temp Inbox $version: see /usr/share/doc/temp-inbox/CHANGELOG.md.gz."
  echo
  maintainer=$(sed -n 's/^Maintainer: //p' "$root/DEBIAN/control")
  echo " -- $maintainer  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$root/usr/share/doc/temp-inbox/changelog.gz"
gzip -9n -c CHANGELOG.md >"$root/usr/share/doc/temp-inbox/CHANGELOG.md.gz"
chmod 644 "$root/usr/share/doc/temp-inbox/"*
find "$root" -type d -exec chmod 755 {} +

rm -f "$deb"
nice -n 10 dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "build-deb: $deb"
echo "build-deb: Depends: $depends"
if command -v lintian >/dev/null 2>&1; then
  # Most findings are about what a PyInstaller bundle is (unstripped, private copies of libraries
  # under /opt): the full list goes to a file, a count per tag to the terminal.
  nice -n 10 lintian --tag-display-limit 0 "$deb" >build/deb/lintian.txt 2>&1 || true
  echo "build-deb: lintian (informational, build/deb/lintian.txt), findings per tag:"
  grep -E '^[EWIPXO]: ' build/deb/lintian.txt | awk '{print $1, $3}' | sort | uniq -c | sort -rn \
    | sed 's/^/  /' || true
fi
