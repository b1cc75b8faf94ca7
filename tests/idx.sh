# Small IDX files for the shell tests (sourced by t_cli_errors.sh, faults.sh and valgrind.sh).
byte() { printf "$(printf '\\%03o' "$1")"; }
be32() { byte $(($1 >> 24 & 255)); byte $(($1 >> 16 & 255)); byte $(($1 >> 8 & 255)); byte $(($1 & 255)); }
# images FILE N ROWS COLS: pixels alternate 128 and 0 (deterministic, not constant)
images() {
    { printf '\000\000\010\003'; be32 "$2"; be32 "$3"; be32 "$4"; yes | head -c $(($2 * $3 * $4)) | tr 'y\n' '\200\000'; } > "$1"
}
# labels FILE N: 0, 1, ..., 9, 0, 1, ...
labels() {
    { printf '\000\000\010\001'; be32 "$2"; i=0; while [ $i -lt "$2" ]; do byte $((i % 10)); i=$((i + 1)); done; } > "$1"
}
