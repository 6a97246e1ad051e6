#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Upload a zip of the instructor's workspace (the whole kit, with this
# folder's run_autograder and setup.sh at the top of the zip) as the
# autograder: Gradescope unpacks it into /autograder/source.
set -euo pipefail

apt-get update
apt-get install -y --no-install-recommends curl ca-certificates build-essential
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
# shellcheck disable=SC1091
source "$HOME/.cargo/env"

cd /autograder/source
cargo build --release -p grader
# Grade the reference once, so the dependencies every submission needs
# are already compiled in the shared target folder.
./target/release/grader --workspace . --submission . \
    --target-dir /autograder/grader-target --format json > /dev/null || true
