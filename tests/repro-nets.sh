# The networks of the reproducibility checks (make repro, and tests/t_train.sh against the
# fingerprints in tests/repro-fingerprints.txt). Sourced; repro_net_args NAME prints the
# training options of network NAME.
REPRO_NETS="default relu-softmax tanh-xent"
repro_net_args() {
    case $1 in
    default) echo "--sizes 784,30,10 --activation sigmoid --cost quadratic --batch 10 --eta 3.0 --init normal" ;;
    relu-softmax) echo "--sizes 784,64,10 --activation relu --cost log-likelihood --batch 10 --eta 0.1 --init scaled" ;;
    # two hidden layers of widths that are not multiples of 16, L2 decay, a last mini-batch of 5
    tanh-xent) echo "--sizes 784,40,20,10 --activation tanh --cost cross-entropy --batch 15 --eta 0.5 --lambda 5.0 --init scaled" ;;
    esac
}
