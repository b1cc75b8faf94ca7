# The build's first contact: scripts/check-deps.sh (run by the Makefile before anything compiles)
# names every missing library header and the exact packages, in one line, and make then stops
# without a build directory; WITHOUT leaves a library out of the check. Headers are hidden by
# putting a png.h and a jpeglib.h that fail to compile first on the include path.
. tests/common.sh
mkdir -p "$SCRATCH/hide"
echo '#error hidden by t_deps' > "$SCRATCH/hide/png.h"
echo '#error hidden by t_deps' > "$SCRATCH/hide/jpeglib.h"
CC=${CC:-cc}
CC="$CC" sh scripts/check-deps.sh 2> "$SCRATCH/err"
expect_eq "everything present: exit 0, nothing said" "$?:$(cat "$SCRATCH/err")" "0:"
CC="$CC" CFLAGS="-isystem $SCRATCH/hide" sh scripts/check-deps.sh 2> "$SCRATCH/err"
rc=$?
expect_eq "libpng and libjpeg hidden: exit 1" "$rc" 1
expect_eq "one line" "$(wc -l < "$SCRATCH/err")" 1
expect_eq "it names both headers and the exact packages" "$(cat "$SCRATCH/err")" \
    "twinnet: cannot build: missing png.h, jpeglib.h: apt-get install libpng-dev libjpeg-dev (or run make deps as root)"
CC="$CC" CFLAGS="-isystem $SCRATCH/hide" WITHOUT="LIBPNG LIBJPEG" sh scripts/check-deps.sh 2> "$SCRATCH/err"
expect_eq "WITHOUT=\"LIBPNG LIBJPEG\": not needed, exit 0" "$?:$(cat "$SCRATCH/err")" "0:"
CC="no-such-cc" sh scripts/check-deps.sh 2> "$SCRATCH/err"
rc=$?
expect_eq "no compiler: exit 1 and build-essential named" "$rc:$(grep -c "apt-get install build-essential" "$SCRATCH/err")" "1:1"
# Through make, as a new user's first make: it stops before compiling, leaving no build directory.
make -s BUILD="$SCRATCH/build" CC="$CC -isystem $SCRATCH/hide" "$SCRATCH/build/libtwinnet.a" > "$SCRATCH/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "^twinnet: cannot build: missing png.h, jpeglib.h: apt-get install libpng-dev libjpeg-dev" "$SCRATCH/out" &&
    ! grep -q "^$CC .* -c " "$SCRATCH/out" && ok "make stops at the check, before compiling (exit $rc)" || bad "make: exit $rc: $(head -n 3 "$SCRATCH/out")"
[ ! -e "$SCRATCH/build" ] && ok "no build directory left" || bad "a build directory was made"
finish
