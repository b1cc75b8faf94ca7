#!/bin/sh
# The fast parts of tests/faults.sh for `make test`: 12 kills during training and saving, 12
# double SIGINTs, a file-size limit, a full tmpfs (skipped where mounting is not allowed), and
# every allocation failing in turn.
FAULTS_QUICK=1 exec sh "$(dirname "$0")/faults.sh" kill signal fsize full alloc
