# SPDX-License-Identifier: MIT
#
# Packs the netlite checkout into a .tar.gz for the FetchContent consumer test (cmake -P).
#   -DNETLITE_SOURCE_DIR=<checkout> -DNETLITE_ARCHIVE=<output .tar.gz> [-DGIT_EXECUTABLE=<git>]
# The archive holds exactly what git would commit: tracked files plus untracked files that are not
# ignored, so a file the build needs but .gitignore hides makes the test fail. Without git it
# falls back to every file except .git/ and build*/ directories.
cmake_minimum_required(VERSION 3.16)

foreach(var IN ITEMS NETLITE_SOURCE_DIR NETLITE_ARCHIVE)
    if(NOT ${var})
        message(FATAL_ERROR "pass -D${var}=...")
    endif()
endforeach()

set(files "")
if(GIT_EXECUTABLE)
    execute_process(
        COMMAND "${GIT_EXECUTABLE}" -c core.quotePath=false ls-files --cached --others
                --exclude-standard
        WORKING_DIRECTORY "${NETLITE_SOURCE_DIR}"
        RESULT_VARIABLE result
        OUTPUT_VARIABLE output
        ERROR_VARIABLE error)
    if(result EQUAL 0)
        string(REPLACE "\n" ";" files "${output}")
    else()
        message(STATUS "git ls-files failed (${error}); packing the directory instead")
    endif()
endif()
if(NOT files)
    file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${NETLITE_SOURCE_DIR}"
         "${NETLITE_SOURCE_DIR}/*")
    list(FILTER files EXCLUDE REGEX "^(\\.git|build[^/]*)/")
endif()

# Drop empty lines and tracked files deleted from the work tree.
set(existing "")
foreach(file IN LISTS files)
    if(NOT file STREQUAL "" AND EXISTS "${NETLITE_SOURCE_DIR}/${file}")
        list(APPEND existing "${file}")
    endif()
endforeach()
list(REMOVE_DUPLICATES existing)
if(NOT existing)
    message(FATAL_ERROR "no files to pack in ${NETLITE_SOURCE_DIR}")
endif()

get_filename_component(archive_dir "${NETLITE_ARCHIVE}" DIRECTORY)
file(MAKE_DIRECTORY "${archive_dir}")
string(REPLACE ";" "\n" list_text "${existing}")
file(WRITE "${NETLITE_ARCHIVE}.files" "${list_text}\n")
file(REMOVE "${NETLITE_ARCHIVE}")
execute_process(
    COMMAND "${CMAKE_COMMAND}" -E tar cfz "${NETLITE_ARCHIVE}"
            "--files-from=${NETLITE_ARCHIVE}.files"
    WORKING_DIRECTORY "${NETLITE_SOURCE_DIR}"
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "packing ${NETLITE_ARCHIVE} failed (${result})")
endif()
list(LENGTH existing count)
message(STATUS "packed ${count} files into ${NETLITE_ARCHIVE}")
