# SPDX-License-Identifier: MIT
#
# The pkg-config consumer test (cmake -P): asks pkg-config for netlite's flags from the staging
# prefix, compiles consumer.cpp with the C++ compiler netlite was configured with, runs it, then
# moves a copy of the prefix elsewhere and checks that the .pc file follows it (relocatable).
# Settings come from the file -DNETLITE_CONSUMER_SETTINGS=<file>:
#   pkg_config, cxx_compiler, std_flag, prefix, pc_subdir, consumer_source, work_dir,
#   expected_version
cmake_minimum_required(VERSION 3.16)

if(NOT NETLITE_CONSUMER_SETTINGS)
    message(FATAL_ERROR "pass -DNETLITE_CONSUMER_SETTINGS=<file>")
endif()
include("${NETLITE_CONSUMER_SETTINGS}")

function(run what out_var)
    execute_process(
        COMMAND ${ARGN} COMMAND_ECHO STDOUT
        RESULT_VARIABLE result
        OUTPUT_VARIABLE output
        OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "${what} failed (${result}): ${output}")
    endif()
    message(STATUS "${what}: ${output}")
    set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

# Asks pkg-config about the netlite.pc under PREFIX; checks version and that -I points into PREFIX.
function(query_pkg_config prefix out_cflags out_libs)
    set(ENV{PKG_CONFIG_PATH} "${prefix}/${pc_subdir}")
    run("pkg-config --modversion" version "${pkg_config}" --modversion netlite)
    if(NOT version STREQUAL expected_version)
        message(FATAL_ERROR "netlite.pc says version ${version}, expected ${expected_version}")
    endif()
    run("pkg-config --cflags" cflags "${pkg_config}" --cflags netlite)
    run("pkg-config --libs" libs "${pkg_config}" --libs netlite)
    separate_arguments(cflags UNIX_COMMAND "${cflags}")
    separate_arguments(libs UNIX_COMMAND "${libs}")
    set(found_header FALSE)
    foreach(flag IN LISTS cflags)
        if(flag MATCHES "^-I(.+)$")
            get_filename_component(dir "${CMAKE_MATCH_1}" REALPATH)
            get_filename_component(real_prefix "${prefix}" REALPATH)
            string(FIND "${dir}/" "${real_prefix}/" at)
            if(at EQUAL 0 AND EXISTS "${dir}/netlite/version.hpp")
                set(found_header TRUE)
            endif()
        endif()
    endforeach()
    if(NOT found_header)
        message(FATAL_ERROR "pkg-config --cflags netlite gives no -I with netlite/version.hpp "
                            "under ${prefix}: ${cflags}")
    endif()
    set(${out_cflags} "${cflags}" PARENT_SCOPE)
    set(${out_libs} "${libs}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${work_dir}")
file(MAKE_DIRECTORY "${work_dir}")

query_pkg_config("${prefix}" cflags libs)
set(program "${work_dir}/consumer${CMAKE_EXECUTABLE_SUFFIX}")
run("compile" ignored "${cxx_compiler}" ${std_flag} ${cflags} "${consumer_source}" -o "${program}"
    ${libs})
run("consumer" ignored "${program}")

# Relocation: a copy of the installed tree in another place must describe itself.
set(relocated "${work_dir}/relocated-prefix")
file(COPY "${prefix}/" DESTINATION "${relocated}")
query_pkg_config("${relocated}" cflags libs)
