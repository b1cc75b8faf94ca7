# make install into a scratch DESTDIR, then the install as a user meets it: the tree, the .so's
# soname, examples/classify.c built through pkg-config against the .so and (static) the .a, both
# printing the digit that the installed `twinnet predict --raw` prints, the man page rendering with
# every option of `twinnet train --help`, and make uninstall. Makes its own small IDX data.
# Skips (77) when pkg-config or a C compiler is missing, and under the sanitizer build.
. tests/common.sh
. tests/idx.sh
BUILD=${BUILD:-build}
CC=${CC:-cc}
if [ -n "${TWINNET_SANITIZE:-}" ]; then
    echo "skipped: sanitizer build (make sanitize passes its SAN flags to no test, and the example would need them)"
    exit 77
fi
command -v pkg-config > /dev/null 2>&1 || { echo "skipped: pkg-config not installed"; exit 77; }
command -v "$CC" > /dev/null 2>&1 || { echo "skipped: no C compiler ($CC)"; exit 77; }

ROOT=$SCRATCH/root
P=$ROOT/usr/local
VERSION=$(sed -n 's/.*TN_VERSION_STRING "\(.*\)".*/\1/p' include/twinnet.h)
ABI=$(sed -n 's/.*define TN_ABI_VERSION \([0-9]*\).*/\1/p' include/twinnet.h)
SONAME=libtwinnet.so.$ABI       # the ABI's number (README, "Library interface and ABI")
SHLIB=$SONAME.$VERSION          # ... and the library's version
if ! make -s install BUILD="$BUILD" DESTDIR="$ROOT" PREFIX=/usr/local > "$SCRATCH/make.log" 2>&1; then
    bad "make install"
    tail -n 20 "$SCRATCH/make.log"
    finish
    exit
fi

# ---- the tree: every file, its mode, the symlinks, the soname, the .pc's prefix ---------------
expect_eq "installed files" "$(cd "$P" && find . ! -type d ! -path './lib/python3*' | sort | tr '\n' ' ')" \
    "./bin/twinnet ./include/twinnet.h ./lib/libtwinnet.a ./lib/libtwinnet.so ./lib/$SONAME ./lib/$SHLIB ./lib/pkgconfig/twinnet.pc ./share/man/man1/twinnet.1 "
# the Python package: python/twinnet's files where python3 finds PREFIX's packages (tests/t_python.py imports it)
expect_eq "installed Python package" "$(cd "$P" && find ./lib/python3* -type f 2>/dev/null | sed 's|.*/twinnet/|twinnet/|' | sort | tr '\n' ' ')" \
    "$(cd python && find twinnet -name '*.py' | sort | tr '\n' ' ')"
mode() { ls -l "$P/$1" | cut -c1-10; }
expect_eq "bin/twinnet mode" "$(mode bin/twinnet)" "-rwxr-xr-x"
for f in include/twinnet.h lib/libtwinnet.a lib/$SHLIB lib/pkgconfig/twinnet.pc share/man/man1/twinnet.1; do
    expect_eq "$f mode" "$(mode "$f")" "-rw-r--r--"
done
expect_eq "$SONAME links to the library" "$(readlink "$P/lib/$SONAME")" "$SHLIB"
expect_eq "libtwinnet.so links to the soname" "$(readlink "$P/lib/libtwinnet.so")" "$SONAME"
if command -v readelf > /dev/null 2>&1; then
    soname=$(readelf -d "$P/lib/$SHLIB" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
elif command -v objdump > /dev/null 2>&1; then
    soname=$(objdump -p "$P/lib/$SHLIB" | awk '$1 == "SONAME" { print $2 }')
else
    soname=$SONAME; echo "note: soname not checked (no readelf or objdump)"
fi
expect_eq "soname" "$soname" "$SONAME"
grep -qx "prefix=/usr/local" "$P/lib/pkgconfig/twinnet.pc" && ok "twinnet.pc: prefix is PREFIX, not DESTDIR" \
    || bad "twinnet.pc: prefix: $(grep '^prefix=' "$P/lib/pkgconfig/twinnet.pc")"
expect_eq "installed twinnet --version" "$("$P/bin/twinnet" --version)" "twinnet $VERSION"

# ---- the example through pkg-config: shared, and static against the .a ------------------------
pc() { PKG_CONFIG_SYSROOT_DIR=$ROOT PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config "$@"; }
expect_eq "pkg-config --modversion" "$(pc --modversion twinnet)" "$VERSION"
STRICT="-std=c11 -Wall -Wextra -Wpedantic -Werror"
# shellcheck disable=SC2046,SC2086 # STRICT and pkg-config's output are lists of words
if $CC $STRICT examples/classify.c $(pc --cflags --libs twinnet) -o "$SCRATCH/classify-shared" 2> "$SCRATCH/cc.log"; then
    ok "classify.c builds against libtwinnet.so"
else
    bad "classify.c against libtwinnet.so: $(head -n 5 "$SCRATCH/cc.log")"
fi
# shellcheck disable=SC2046,SC2086
if $CC $STRICT -static examples/classify.c $(pc --static --cflags --libs twinnet) -o "$SCRATCH/classify-static" 2> "$SCRATCH/cc.log"; then
    ok "classify.c builds static against libtwinnet.a"
else
    bad "classify.c static: $(head -n 5 "$SCRATCH/cc.log")"
fi
if command -v readelf > /dev/null 2>&1; then
    readelf -d "$SCRATCH/classify-shared" 2>/dev/null | grep -q "NEEDED.*\[$SONAME\]" && ok "classify-shared needs $SONAME" \
        || bad "classify-shared does not need $SONAME"
    readelf -d "$SCRATCH/classify-static" 2>/dev/null | grep -q "NEEDED" && bad "classify-static needs shared libraries" \
        || ok "classify-static needs no shared library"
fi

# ---- a tiny model from the installed binary, and one training image as PGM --------------------
# digits FILE N: 28x28 images, image i shows digit i%10 as a band of 78 bright pixels at 78*(i%10)
digits() {
    { printf '\000\000\010\003'; be32 "$2"; be32 28; be32 28
      i=0
      while [ $i -lt "$2" ]; do
          d=$((i % 10))
          head -c $((78 * d)) /dev/zero; head -c 78 /dev/zero | tr '\000' '\377'; head -c $((706 - 78 * d)) /dev/zero
          i=$((i + 1))
      done; } > "$1"
}
digits "$SCRATCH/img" 40
labels "$SCRATCH/lab" 40
"$P/bin/twinnet" train --train-images "$SCRATCH/img" --train-labels "$SCRATCH/lab" --test-images "$SCRATCH/img" \
    --test-labels "$SCRATCH/lab" --train-size 0 --sizes 784,30,10 --init scaled --epochs 10 --quiet --out "$SCRATCH/m.tnm" \
    && ok "installed twinnet trains" || bad "installed twinnet train"
for i in 3 17 28; do
    { printf 'P5\n28 28\n255\n'; tail -c +$((16 + 784 * i + 1)) "$SCRATCH/img" | head -c 784; } > "$SCRATCH/$i.pgm"
    want=$("$P/bin/twinnet" predict --raw "$SCRATCH/m.tnm" "$SCRATCH/$i.pgm" --json | json_field digit)
    expect_eq "training image $i: twinnet predict says its label" "$want" "$((i % 10))"
    expect_eq "training image $i: classify (shared) = twinnet predict" \
        "$(LD_LIBRARY_PATH=$P/lib "$SCRATCH/classify-shared" "$SCRATCH/m.tnm" "$SCRATCH/$i.pgm")" "$want"
    expect_eq "training image $i: classify (static) = twinnet predict" \
        "$("$SCRATCH/classify-static" "$SCRATCH/m.tnm" "$SCRATCH/$i.pgm")" "$want"
done
"$SCRATCH/classify-static" "$SCRATCH/m.tnm" "$SCRATCH/lab" > /dev/null 2> "$SCRATCH/err"
expect_eq "classify on a bad image: exit 1" "$?" "1"
expect_eq "classify on a bad image: one line naming it" "$(grep -c "^classify: $SCRATCH/lab: " "$SCRATCH/err")" "1"
"$SCRATCH/classify-static" > /dev/null 2>&1
expect_eq "classify without arguments: exit 2" "$?" "2"

# ---- the man page renders and has every option train --help names -----------------------------
MAN=$P/share/man/man1/twinnet.1
if command -v man > /dev/null 2>&1; then
    LC_ALL=C MANWIDTH=80 man -l "$MAN" > "$SCRATCH/man.txt" 2> "$SCRATCH/man.err"
elif command -v groff > /dev/null 2>&1; then
    groff -man -Tutf8 -ww "$MAN" > "$SCRATCH/man.txt" 2> "$SCRATCH/man.err"
else
    echo "note: man page not rendered (neither man nor groff)"
    rm -f "$SCRATCH/man.txt"
fi
if [ -f "$SCRATCH/man.txt" ]; then
    if [ -s "$SCRATCH/man.txt" ] && [ ! -s "$SCRATCH/man.err" ]; then ok "man page renders without warnings"
    else bad "man page: $(head -n 5 "$SCRATCH/man.err")"; fi
    missing=""
    for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
        grep -q "^$section\$" "$SCRATCH/man.txt" || missing="$missing $section"
    done
    expect_eq "man page sections" "$missing" ""
    # groff may render '-' as U+2212 or U+2010; read both as '-'
    sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g' "$SCRATCH/man.txt" > "$SCRATCH/man-ascii.txt"
    options=$("$P/bin/twinnet" train --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
    missing=""
    for option in $options; do
        grep -Eq -- "$option([^a-z0-9-]|\$)" "$SCRATCH/man-ascii.txt" || missing="$missing $option"
    done
    if [ -z "$options" ]; then bad "twinnet train --help names no --option"
    else expect_eq "man page has every option of train --help ($(echo "$options" | wc -l))" "$missing" ""; fi
fi

# ---- uninstall leaves no file --------------------------------------------------------------------
make -s uninstall BUILD="$BUILD" DESTDIR="$ROOT" PREFIX=/usr/local > "$SCRATCH/make.log" 2>&1
expect_eq "make uninstall removes every file" "$(find "$ROOT" ! -type d | head -n 3)" ""
finish
