#!/bin/sh
# Assembles the browser page (make web): web/page.html with each line "@include FILE@" replaced
# by FILE, and "@base64 WASM@", "@base64 MODEL_A@", "@base64 MODEL_B@" by those files in base64
# (RFC 4648, one line). One self-contained HTML file on standard output: no server, no network.
# Usage: sh scripts/web-page.sh MODULE.wasm MODEL_A.tnm MODEL_B.tnm > twinnet.html
set -eu
[ $# -eq 3 ] || { echo "usage: sh scripts/web-page.sh MODULE.wasm MODEL_A MODEL_B" >&2; exit 2; }
for f in "$@"; do [ -s "$f" ] || { echo "web-page.sh: $f: missing or empty" >&2; exit 1; }; done
ROOT=$(dirname "$0")/..
while IFS= read -r line; do
    case $line in
    "@include "*@) f=${line#@include }; cat "$ROOT/${f%@}" ;;
    "@base64 WASM@") base64 -w 0 "$1"; echo ;;
    "@base64 MODEL_A@") base64 -w 0 "$2"; echo ;;
    "@base64 MODEL_B@") base64 -w 0 "$3"; echo ;;
    @*@) echo "web-page.sh: unknown directive $line" >&2; exit 1 ;;
    *) printf '%s\n' "$line" ;;
    esac
done < "$ROOT/web/page.html"
