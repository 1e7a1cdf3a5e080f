# SPDX-License-Identifier: MIT
#
# doctest for cross builds (the mingw-wine preset points doctest_DIR here). doctest is one
# header: this package copies Debian's /usr/include/doctest/doctest.h into <build>/doctest-include
# and makes doctest::doctest use that folder, which holds only doctest, so that no host header
# (/usr/include) can reach a MinGW build. doctest.cmake beside this file forwards to Debian's
# doctest_discover_tests(). Override NETLITE_DOCTEST_HEADER / NETLITE_DOCTEST_CMAKE_DIR for other
# locations.
set(NETLITE_DOCTEST_HEADER "/usr/include/doctest/doctest.h"
    CACHE FILEPATH "doctest.h to use in cross builds (copied into the build tree)")
set(NETLITE_DOCTEST_CMAKE_DIR "/usr/lib/cmake/doctest"
    CACHE PATH "Folder holding doctest's doctest.cmake (doctest_discover_tests)")
if(NOT EXISTS "${NETLITE_DOCTEST_HEADER}")
    set(doctest_FOUND FALSE)
    set(doctest_NOT_FOUND_MESSAGE "${NETLITE_DOCTEST_HEADER} not found (Debian: doctest-dev)")
    return()
endif()

set(_netlite_doctest_include "${CMAKE_BINARY_DIR}/doctest-include")
file(MAKE_DIRECTORY "${_netlite_doctest_include}/doctest")
configure_file("${NETLITE_DOCTEST_HEADER}" "${_netlite_doctest_include}/doctest/doctest.h" COPYONLY)

if(NOT TARGET doctest::doctest)
    add_library(doctest::doctest INTERFACE IMPORTED)
    set_target_properties(doctest::doctest PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                                      "${_netlite_doctest_include}")
endif()

file(STRINGS "${NETLITE_DOCTEST_HEADER}" _netlite_doctest_version_lines
     REGEX "^#define DOCTEST_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+")
set(doctest_VERSION "")
foreach(_netlite_part IN ITEMS MAJOR MINOR PATCH)
    if(_netlite_doctest_version_lines MATCHES "DOCTEST_VERSION_${_netlite_part} +([0-9]+)")
        list(APPEND doctest_VERSION "${CMAKE_MATCH_1}")
    endif()
endforeach()
list(JOIN doctest_VERSION "." doctest_VERSION)
set(doctest_FOUND TRUE)
