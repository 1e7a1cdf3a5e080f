# SPDX-License-Identifier: MIT
#
# Installs netlite's build tree into a fresh staging prefix for the find_package and pkg-config
# consumer tests, and checks the installed layout (cmake -P).
#   -DNETLITE_BINARY_DIR=<build> -DNETLITE_PREFIX=<staging> [-DNETLITE_CONFIG=<config>]
#   -DNETLITE_EXPECTED_FILES=<paths relative to the prefix, separated by |>
cmake_minimum_required(VERSION 3.16)

file(REMOVE_RECURSE "${NETLITE_PREFIX}")
set(config_args "")
if(NETLITE_CONFIG)
    set(config_args --config "${NETLITE_CONFIG}")
endif()
execute_process(
    COMMAND "${CMAKE_COMMAND}" --install "${NETLITE_BINARY_DIR}" --prefix "${NETLITE_PREFIX}"
            ${config_args}
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "cmake --install failed (${result})")
endif()

string(REPLACE "|" ";" expected_files "${NETLITE_EXPECTED_FILES}")
foreach(file IN LISTS expected_files)
    if(NOT EXISTS "${NETLITE_PREFIX}/${file}")
        message(FATAL_ERROR "install did not create ${NETLITE_PREFIX}/${file}")
    endif()
endforeach()
