#!/usr/bin/env bash
# Installs what building and testing theta needs, if it is missing:
# a C compiler, make, zlib, Check, pkg-config. Uses apt-get (Debian/Ubuntu)
# and sudo when not root. Extra groups:
#   --python   python3-gensim and python3-numpy (interoperability tests)
#   --demo     bible-kjv (the demo corpus)
#   --plot     gnuplot-nox (init comparison plots)
#   --mpi      Open MPI (libopenmpi-dev, openmpi-bin) for `make MPI=1`
#   --mpich    MPICH (libmpich-dev, mpich) for `make MPI=1 MPICC=mpicc.mpich`;
#              Open MPI stays the default mpicc/mpirun (its alternatives'
#              priority is higher)
#   --fuzz     clang and its runtime libraries with libFuzzer (make fuzz)
#   --valgrind valgrind (make valgrind)
set -euo pipefail

want=(gcc make zlib1g-dev check pkg-config)
for arg in "$@"; do
    case "$arg" in
    --python) want+=(python3-gensim python3-numpy) ;;
    --demo) want+=(bible-kjv) ;;
    --plot) want+=(gnuplot-nox) ;;
    --mpi) want+=(libopenmpi-dev openmpi-bin) ;;
    --mpich) want+=(libmpich-dev mpich) ;;
    --fuzz) want+=(clang libclang-rt-dev) ;;
    --valgrind) want+=(valgrind) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "install-deps.sh: missing ${missing[*]}, and apt-get is not available; install them by hand" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
