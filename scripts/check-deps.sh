#!/bin/sh
# Before the first compilation (the Makefile runs this when it makes the build directory): the C
# compiler and the development files of every library the build links (zlib, libpng, libjpeg;
# those named in WITHOUT are left out), each tried by compiling its header. What is missing is
# one line naming the exact Debian packages, and the exit status is 1.
# Environment: CC (default cc), CFLAGS (as the build compiles), WITHOUT (as the Makefile's).
CC=${CC:-cc}
set -f # CC and CFLAGS are lists of words, not patterns
compiler=${CC%% *}
if ! command -v "$compiler" > /dev/null 2>&1; then
    echo "twinnet: the C compiler '$compiler' is not installed: apt-get install build-essential (or run make deps as root)" >&2
    exit 1
fi
headers="" packages=""
need() { # HEADER PACKAGE SWITCH: SWITCH in WITHOUT leaves it out
    case " $WITHOUT " in *" $3 "*) return ;; esac
    # jpeglib.h needs FILE and size_t declared before it
    # shellcheck disable=SC2086 # CC and CFLAGS are lists of words
    printf '#include <stddef.h>\n#include <stdio.h>\n#include <%s>\n' "$1" | $CC $CFLAGS -x c -E - > /dev/null 2>&1 ||
        { headers="$headers${headers:+, }$1"; packages="$packages $2"; }
}
need zlib.h zlib1g-dev ZLIB
need png.h libpng-dev LIBPNG
need jpeglib.h libjpeg-dev LIBJPEG
[ -z "$packages" ] && exit 0
echo "twinnet: cannot build: missing $headers: apt-get install$packages (or run make deps as root)" >&2
exit 1
