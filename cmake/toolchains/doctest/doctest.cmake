# SPDX-License-Identifier: MIT
# doctest_discover_tests() from the doctest package whose header doctestConfig.cmake copied; it
# runs test programs through CMAKE_CROSSCOMPILING_EMULATOR (Wine) when cross-compiling.
include("${NETLITE_DOCTEST_CMAKE_DIR}/doctest.cmake")
