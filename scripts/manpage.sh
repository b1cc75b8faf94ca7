#!/bin/sh
# Writes the twinnet(1) man page to stdout, generated from the program's own help so that the page
# says what --help says: DESCRIPTION is `twinnet --help`, and each command it lists (lines
# "  NAME  description" after a blank line) gets a subsection with `twinnet NAME --help` verbatim.
# usage: scripts/manpage.sh PATH/TO/twinnet > twinnet.1
set -eu
bin=${1:?usage: manpage.sh PATH/TO/twinnet}
# The main help names the SIMD path the CPU gets: fix it and cut it out, so the page is the same
# on every machine.
TWINNET_SIMD=generic
export TWINNET_SIMD
main=$("$bin" --help)
main=$(printf '%s\n' "$main" | sed 's/, SIMD path [A-Za-z0-9_]*//')
version=$("$bin" --version 2>/dev/null || true)
commands=$(printf '%s\n' "$main" | awk 'after_blank && /^  [a-z][a-z0-9_-]*  +[^ ]/ { print $1 } /^$/ { after_blank = 1 }')
if [ -z "$commands" ]; then
    echo "manpage.sh: '$bin --help' lists no commands (lines '  NAME  description' after a blank line)" >&2
    exit 1
fi

# verbatim: standard input as a no-fill block. Backslashes and hyphens escaped (a '-' would
# render as a hyphen, not the '-' of an option), leading dots and quotes guarded, empty lines kept.
verbatim() {
    echo .nf
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/" -e 's/^$/\\\&/'
    echo .fi
}

cat <<EOF
.TH TWINNET 1 "" "$version" "User Commands"
.SH NAME
twinnet \- train Nielsen's digit networks bit\-reproducibly, and explain why two runs differ
.SH SYNOPSIS
.B twinnet
.I COMMAND
.RI [ options ]
.br
.B twinnet
.I COMMAND
.B \-\-help
.br
.B twinnet \-\-help
.SH DESCRIPTION
twinnet trains the digit networks of Michael Nielsen's
.I Neural Networks and Deep Learning
on MNIST or any IDX data set. The bits of a trained model depend only on the data, the
configuration and the seeds, not on the thread count, the SIMD path or the compiler.
.PP
EOF
printf '%s\n' "$main" | verbatim
echo .SH COMMANDS
for cmd in $commands; do
    help=$("$bin" "$cmd" --help)
    echo ".SS $cmd"
    printf '%s\n' "$help" | verbatim
done
cat <<'EOF'
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
runtime error: a bad file, bad data or an I/O failure, reported as one line
"twinnet: FILE: what is wrong" on standard error
.TP
.B 2
usage error: an unknown command or option, a missing or malformed value
.SH ENVIRONMENT
.TP
.B TWINNET_DATA
the MNIST directory used when
.B \-\-data
is not given
.TP
.B XDG_CACHE_HOME
when
.B TWINNET_DATA
is unset, MNIST is read from
.I $XDG_CACHE_HOME/twinnet/mnist
(default
.IR ~/.cache/twinnet/mnist )
.TP
.B TWINNET_SIMD
.BR generic ", " avx2 " or " avx512 :
forces that kernel path where the CPU has it (default: the widest it has); every path gives the
same bits
.SH FILES
.TP
.I ${XDG_CACHE_HOME:\-~/.cache}/twinnet/mnist/
MNIST as train\-images\-idx3\-ubyte, train\-labels\-idx1\-ubyte, t10k\-images\-idx3\-ubyte and
t10k\-labels\-idx1\-ubyte, raw or gzip (.gz)
.TP
.I MODEL
a model file written by
.BR "twinnet train" :
magic, format version, configuration, seeds, parameters and a SHA\-256 checksum; the same run
writes the same bytes
.SH SEE ALSO
.BR pkg\-config (1);
the C library: the header
.IR twinnet.h ,
linked with
.BR "pkg\-config \-\-cflags \-\-libs twinnet" ;
the README of the twinnet sources
EOF
