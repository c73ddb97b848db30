#!/bin/sh
# prebuildify calls "node-gyp rebuild <node-gyp args>"; cmake-js takes other
# arguments, and an N-API build is the same for every Node version, so ignore
# them and run a clean cmake-js build.
exec npx --no-install cmake-js rebuild
