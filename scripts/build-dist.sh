#!/usr/bin/env bash
# `make dist`: the frozen one-folder app (PyInstaller, packaging/pyinstaller/temp-inbox.spec) in
# dist/temp-inbox/, the release tarball dist/temp-inbox-VERSION-linux-x86_64.tar.gz and the Debian
# package dist/temp-inbox_VERSION_amd64.deb (scripts/build-deb.sh). Prints the time and the sizes.
# Runs PyInstaller and the compressors at a low priority (nice): the build takes minutes of both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
version=$("$py" -c 'import desktop_app; print(desktop_app.__version__)')
name="temp-inbox-$version-linux-x86_64"
start=$(date +%s)

rm -rf dist/temp-inbox build/pyinstaller
nice -n 10 "$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/pyinstaller/temp-inbox.spec
# The Python this is built with may carry its build machine's library folder as RUNPATH (pyenv:
# /root/.pyenv/versions/X/lib) in libpython and its extension modules: a folder of the build machine
# that the installed app would search first. Such RUNPATHs (none with $ORIGIN) are removed.
find dist/temp-inbox -type f \( -name '*.so' -o -name '*.so.*' \) -print0 | while IFS= read -r -d '' lib; do
  rpath=$(patchelf --print-rpath "$lib" 2>/dev/null) || continue
  case "$rpath" in "" | *'$ORIGIN'*) ;; *) patchelf --remove-rpath "$lib" ;; esac
done
frozen_version=$(dist/temp-inbox/temp-inbox --version)
[ "$frozen_version" = "temp-inbox $version" ] || { echo "dist: the frozen app says '$frozen_version'" >&2; exit 1; }
built=$(date +%s)

scripts/stage-share.sh build/share --require-png

# The tarball: the app folder, plus share/ and install-desktop.sh for a per-user desktop entry.
rm -rf build/tarball && mkdir -p "build/tarball/temp-inbox-$version"
cp -al dist/temp-inbox/. "build/tarball/temp-inbox-$version/"
cp -a build/share "build/tarball/temp-inbox-$version/share"
install -m755 scripts/install-desktop.sh "build/tarball/temp-inbox-$version/install-desktop.sh"
rm -f "dist/$name.tar.gz"
tar -C build/tarball --owner=0 --group=0 --numeric-owner -cf - "temp-inbox-$version" \
  | nice -n 10 gzip -6 >"dist/$name.tar.gz"
packed=$(date +%s)

scripts/build-deb.sh "$version"
end=$(date +%s)

echo
echo "dist: PyInstaller $((built - start)) s, tarball $((packed - built)) s, .deb $((end - packed)) s, total $((end - start)) s"
echo "dist: folder  $(du -sh dist/temp-inbox | cut -f1)  dist/temp-inbox/"
echo "dist: tarball $(du -h "dist/$name.tar.gz" | cut -f1)  dist/$name.tar.gz"
echo "dist: .deb    $(du -h "dist/temp-inbox_${version}_amd64.deb" | cut -f1)  dist/temp-inbox_${version}_amd64.deb"
