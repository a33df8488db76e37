# Sourced by the scripts: the tool paths and the offline switch Trunk needs here.
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk must not try to download anything: GitHub is unreachable, a mismatch should fail loudly.
export TRUNK_OFFLINE=true
export CHROMEDRIVER=/usr/bin/chromedriver
