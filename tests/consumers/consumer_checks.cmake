# SPDX-License-Identifier: MIT
#
# Checks shared by the consumer projects: netlite must give a consumer the target
# netlite::netlite and nothing else (no tests, examples, warning flags or global settings).

# Global state that netlite must leave alone; netlite_consumer_snapshot() records it before
# netlite is brought in and netlite_consumer_check() compares.
set(_consumer_watched_variables CMAKE_CXX_FLAGS CMAKE_CXX_STANDARD CMAKE_CXX_STANDARD_REQUIRED
                                CMAKE_CXX_EXTENSIONS CMAKE_BUILD_TYPE CMAKE_EXE_LINKER_FLAGS)
set(_consumer_watched_properties COMPILE_OPTIONS COMPILE_DEFINITIONS INCLUDE_DIRECTORIES
                                 LINK_OPTIONS LINK_LIBRARIES)

macro(netlite_consumer_snapshot)
    foreach(_var IN LISTS _consumer_watched_variables)
        set(_consumer_before_${_var} "${${_var}}")
    endforeach()
    foreach(_prop IN LISTS _consumer_watched_properties)
        get_directory_property(_consumer_before_${_prop} ${_prop})
    endforeach()
endmacro()

# Lists every buildsystem target and test defined in DIR and its subdirectories.
function(_netlite_consumer_walk dir out_targets out_tests)
    get_directory_property(targets DIRECTORY "${dir}" BUILDSYSTEM_TARGETS)
    get_directory_property(tests DIRECTORY "${dir}" TESTS)
    get_directory_property(subdirs DIRECTORY "${dir}" SUBDIRECTORIES)
    foreach(sub IN LISTS subdirs)
        _netlite_consumer_walk("${sub}" sub_targets sub_tests)
        list(APPEND targets ${sub_targets})
        list(APPEND tests ${sub_tests})
    endforeach()
    set(${out_targets} "${targets}" PARENT_SCOPE)
    set(${out_tests} "${tests}" PARENT_SCOPE)
endfunction()

# NETLITE_DIR: netlite's source directory when it was added as a subdirectory (empty for
# find_package, where only imported targets exist).
function(netlite_consumer_check netlite_dir)
    if(NOT TARGET netlite::netlite)
        message(FATAL_ERROR "netlite::netlite is not defined")
    endif()
    foreach(internal IN ITEMS netlite_doctest_main netlite_warnings netlite_header_check
                              netlite_odr_check)
        if(TARGET ${internal})
            message(FATAL_ERROR "netlite leaked its internal target ${internal} into a consumer")
        endif()
    endforeach()
    get_target_property(options netlite::netlite INTERFACE_COMPILE_OPTIONS)
    if(options)
        message(FATAL_ERROR "netlite::netlite imposes compile options on users: ${options}")
    endif()

    foreach(var IN LISTS _consumer_watched_variables)
        if(NOT "${${var}}" STREQUAL "${_consumer_before_${var}}")
            message(FATAL_ERROR "netlite changed ${var} to '${${var}}' in a consumer")
        endif()
    endforeach()
    foreach(prop IN LISTS _consumer_watched_properties)
        get_directory_property(value ${prop})
        if(NOT "${value}" STREQUAL "${_consumer_before_${prop}}")
            message(FATAL_ERROR "netlite changed the consumer's directory property ${prop}")
        endif()
    endforeach()

    if(netlite_dir)
        _netlite_consumer_walk("${netlite_dir}" targets tests)
        if(NOT targets STREQUAL "netlite")
            message(FATAL_ERROR "netlite as a subproject must define only the target "
                                "'netlite', not: ${targets}")
        endif()
        if(tests)
            message(FATAL_ERROR "netlite as a subproject added tests: ${tests}")
        endif()
        foreach(option IN ITEMS NETLITE_BUILD_TESTS NETLITE_BUILD_EXAMPLES NETLITE_INSTALL
                                NETLITE_BUILD_BENCH)
            if(${option})
                message(FATAL_ERROR "${option} defaults to ON in a subproject")
            endif()
        endforeach()
    endif()
    message(STATUS "consumer checks passed: netlite::netlite and nothing else")
endfunction()
