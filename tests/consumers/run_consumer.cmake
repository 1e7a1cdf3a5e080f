# SPDX-License-Identifier: MIT
#
# Runs one package consumer test (cmake -P): configures one of the consumer projects in a fresh
# build directory with the compiler and generator netlite itself was configured with, builds it,
# and runs the resulting `consumer` program. Its settings come from a file written by
# tests/consumers/CMakeLists.txt:
#   consumer_source_dir, consumer_binary_dir, consumer_generator, consumer_platform,
#   consumer_toolset, consumer_options (list of -D arguments)
# and NETLITE_CONSUMER_CONFIG (-D on the command line) is the configuration being tested.
cmake_minimum_required(VERSION 3.16)

if(NOT NETLITE_CONSUMER_SETTINGS)
    message(FATAL_ERROR "pass -DNETLITE_CONSUMER_SETTINGS=<file>")
endif()
include("${NETLITE_CONSUMER_SETTINGS}")

function(run what)
    execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "${what} failed (${result})")
    endif()
endfunction()

file(REMOVE_RECURSE "${consumer_binary_dir}")

set(generator_args -G "${consumer_generator}")
if(consumer_platform)
    list(APPEND generator_args -A "${consumer_platform}")
endif()
if(consumer_toolset)
    list(APPEND generator_args -T "${consumer_toolset}")
endif()
set(config_args "")
if(NETLITE_CONSUMER_CONFIG)
    set(config_args --config "${NETLITE_CONSUMER_CONFIG}")
endif()

run("configure" "${CMAKE_COMMAND}" -S "${consumer_source_dir}" -B "${consumer_binary_dir}"
    ${generator_args} ${consumer_options})
run("build" "${CMAKE_COMMAND}" --build "${consumer_binary_dir}" ${config_args})

# Single-config generators put the program in the build directory, multi-config ones in a
# per-configuration subdirectory.
file(GLOB_RECURSE programs LIST_DIRECTORIES false "${consumer_binary_dir}/consumer"
     "${consumer_binary_dir}/consumer.exe")
list(FILTER programs EXCLUDE REGEX "/CMakeFiles/")
list(LENGTH programs count)
if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one consumer program in ${consumer_binary_dir}, found: "
                        "${programs}")
endif()
run("consumer" ${programs})
