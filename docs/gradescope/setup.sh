#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
#
# Make the zip with `cargo run -p grader -- autograder --out autograder.zip`:
# Gradescope unpacks it into /autograder/source, so this script sits there
# beside run_autograder, and the student edition of the kit (the grader, its
# checks and the task stubs; no reference solution) in
# /autograder/source/source.
#
# It installs the Rust that rust-toolchain.toml pins, fetches every crate so
# that grading needs no network, and builds the grader, and nothing else:
# no task is built or run here, so the image holds no task executable.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
workspace="$here/source"

apt-get update
apt-get install -y --no-install-recommends curl ca-certificates build-essential

# rustup without a toolchain, then exactly the one the kit pins (channel,
# minimal profile and components all come from rust-toolchain.toml).
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$workspace/rust-toolchain.toml")
if [ -z "$channel" ]; then
    echo "setup.sh: no channel in $workspace/rust-toolchain.toml" >&2
    exit 1
fi
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain none
# shellcheck disable=SC1091
source "$HOME/.cargo/env"
cd "$workspace"
rustup toolchain install
rustup default "$channel"

# Every crate of Cargo.lock, as locked, so run_autograder can build
# submissions offline; then the grader alone, in release mode.
cargo fetch --locked
cargo build --release --locked -p grader --features classroom

# Optional: the grader's sandbox runs student code under an unprivileged uid
# given by number, which needs no account. This named system account is for
# an instructor who wants one to point at (in ps, or to own files).
useradd --system --no-create-home --shell /usr/sbin/nologin grader-student 2>/dev/null || true
