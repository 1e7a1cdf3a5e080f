# SPDX-License-Identifier: MIT
#
# Test discovery script for doctest_discover_tests() (tests/CMakeLists.txt points doctest's
# module at it through _DOCTEST_DISCOVER_TESTS_SCRIPT). It takes the same -D inputs as doctest's
# own doctestAddTests.cmake and writes CTEST_FILE with one add_test() per test case, but:
#  - test names are handled as text, never as CMake lists: doctest 2.4's script turns a case
#    named "a; b" into two tests "a" and " b" that match nothing, run nothing and pass;
#  - a test that runs no test case fails (FAIL_REGULAR_EXPRESSION on doctest's summary), so a
#    name that the --test-case filter cannot select is reported instead of passing silently.
# Supported inputs: TEST_EXECUTABLE, TEST_EXECUTOR, TEST_WORKING_DIR, TEST_SPEC, TEST_EXTRA_ARGS,
# TEST_PROPERTIES, TEST_PREFIX, TEST_SUFFIX, TEST_LIST, CTEST_FILE. ADD_LABELS and
# JUNIT_OUTPUT_DIR are not supported (label tests through PROPERTIES LABELS instead).
cmake_minimum_required(VERSION 3.16)

if(NOT EXISTS "${TEST_EXECUTABLE}")
    message(FATAL_ERROR "test executable '${TEST_EXECUTABLE}' does not exist")
endif()
if(TEST_ADD_LABELS OR TEST_JUNIT_OUTPUT_DIR)
    message(WARNING "netlite_doctest_add_tests.cmake ignores ADD_LABELS and JUNIT_OUTPUT_DIR")
endif()

# Quotes TEXT as one CMake bracket argument, choosing a bracket level that TEXT does not close.
function(_netlite_bracket text out_var)
    set(level "")
    set(probe "${text}]") # a trailing "]" in TEXT would close "]]" early
    while(probe MATCHES "]${level}]")
        string(APPEND level "=")
    endwhile()
    set(${out_var} "[${level}[${text}]${level}]" PARENT_SCOPE)
endfunction()

# Quotes TEXT as one CMake quoted argument that stays one element when used as a list item.
function(_netlite_quote_list_item text out_var)
    string(REPLACE "\\" "\\\\" text "${text}")
    string(REPLACE "\"" "\\\"" text "${text}")
    string(REPLACE "$" "\\$" text "${text}")
    string(REPLACE ";" "\\;" text "${text}")
    set(${out_var} "\"${text}\"" PARENT_SCOPE)
endfunction()

set(spec_args "")
if(NOT "${TEST_SPEC}" STREQUAL "")
    set(spec_args "--test-case=${TEST_SPEC}")
endif()
execute_process(
    COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${spec_args} --list-test-cases --no-colors=true
    WORKING_DIRECTORY "${TEST_WORKING_DIR}"
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "'${TEST_EXECUTABLE} --list-test-cases' failed (${result}):\n"
                        "${output}${errors}")
endif()

# Arguments after the test name and executable, the same for every test.
set(common_args "")
foreach(arg IN LISTS TEST_EXTRA_ARGS)
    _netlite_bracket("${arg}" quoted)
    string(APPEND common_args " ${quoted}")
endforeach()
_netlite_bracket("${TEST_WORKING_DIR}" working_dir)
set(common_properties " WORKING_DIRECTORY ${working_dir}")
string(APPEND common_properties " FAIL_REGULAR_EXPRESSION [==[test cases: +0 [|]]==]")
foreach(item IN LISTS TEST_PROPERTIES)
    _netlite_bracket("${item}" quoted)
    string(APPEND common_properties " ${quoted}")
endforeach()
set(executor "")
foreach(arg IN LISTS TEST_EXECUTOR)
    _netlite_bracket("${arg}" quoted)
    string(APPEND executor " ${quoted}")
endforeach()
_netlite_bracket("${TEST_EXECUTABLE}" executable)

# One test per line of the listing; lines from doctest itself start with "[doctest]" or "===".
set(script "")
set(list_items "")
string(APPEND output "\n")
while(NOT output STREQUAL "")
    string(FIND "${output}" "\n" end)
    string(SUBSTRING "${output}" 0 ${end} line)
    math(EXPR next "${end} + 1")
    string(SUBSTRING "${output}" ${next} -1 output)

    string(REGEX REPLACE "\r$" "" line "${line}")
    if(line STREQUAL "" OR line MATCHES "^\\[doctest\\] " OR line MATCHES "^=+$")
        continue()
    endif()
    set(name "${TEST_PREFIX}${line}${TEST_SUFFIX}")
    string(REPLACE "," "\\," filter "${line}") # doctest splits filters at unescaped commas
    _netlite_bracket("${name}" quoted_name)
    _netlite_bracket("--test-case=${filter}" quoted_filter)
    string(APPEND script
           "add_test(${quoted_name}${executor} ${executable} ${quoted_filter}${common_args})\n"
           "set_tests_properties(${quoted_name} PROPERTIES${common_properties})\n")
    _netlite_quote_list_item("${name}" item)
    string(APPEND list_items " ${item}")
endwhile()

if(TEST_LIST)
    string(APPEND script "set(${TEST_LIST}${list_items})\n")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
