# SPDX-License-Identifier: MIT
#
# Cross-compiles for 64-bit Windows with Debian's MinGW-w64 (package g++-mingw-w64-x86-64), the
# posix thread model (std::thread), linked statically so that the programs run under Wine or on
# Windows without MinGW's DLLs. Programs and tests run through Wine: CTest and
# doctest_discover_tests use CMAKE_CROSSCOMPILING_EMULATOR, with a Wine prefix of this build's
# own (<build>/wineprefix) and Wine's debug output off.
#
#   cmake --preset mingw-wine   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake)
#
# wine-run.sh starts a wineserver that lingers 60 s after the last test. .ci/run starts its own
# (`wineserver -p`) before the workflow, plus one long-lived Wine program (without it, a test
# started just as Wine's system processes shut down after the previous one can hang), and stops
# both with `wineserver -k` afterwards. Do the same for repeated local runs.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(NETLITE_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(NETLITE_MINGW_CXX NAMES ${NETLITE_MINGW_TRIPLE}-g++-posix REQUIRED)
set(CMAKE_CXX_COMPILER "${NETLITE_MINGW_CXX}")
find_program(CMAKE_RC_COMPILER NAMES ${NETLITE_MINGW_TRIPLE}-windres)

# Headers and libraries come only from the MinGW sysroot, never from /usr/include or /usr/lib.
set(CMAKE_FIND_ROOT_PATH /usr/${NETLITE_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# No MinGW runtime DLLs to ship next to the programs (libstdc++, libgcc, winpthread).
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

find_program(NETLITE_WINE NAMES wine)
if(NETLITE_WINE)
    if(NOT DEFINED NETLITE_WINEPREFIX)
        set(NETLITE_WINEPREFIX "${CMAKE_BINARY_DIR}/wineprefix")
    endif()
    # wine-run.sh: quiet Wine in this prefix, with one shared wineserver (see the script).
    set(CMAKE_CROSSCOMPILING_EMULATOR sh "${CMAKE_CURRENT_LIST_DIR}/wine-run.sh"
                                      "${NETLITE_WINEPREFIX}")
endif()
