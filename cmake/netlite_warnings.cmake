# SPDX-License-Identifier: MIT
#
# netlite_warnings: an INTERFACE target that carries netlite's warning flags. Only netlite's
# own tests, examples and benchmarks link it; it is never linked by `netlite` and never
# exported, so users' builds are untouched.
add_library(netlite_warnings INTERFACE)

# cl.exe and clang-cl take MSVC-style flags; everything else takes GCC-style ones.
set(_netlite_msvc_like
    "$<OR:$<CXX_COMPILER_ID:MSVC>,$<STREQUAL:${CMAKE_CXX_COMPILER_FRONTEND_VARIANT},MSVC>>")

target_compile_options(
    netlite_warnings
    INTERFACE "$<${_netlite_msvc_like}:/W4;/permissive->"
              "$<$<NOT:${_netlite_msvc_like}>:-Wall;-Wextra;-Wpedantic;-Wconversion;-Wshadow>")

if(NETLITE_WERROR)
    target_compile_options(netlite_warnings INTERFACE "$<IF:${_netlite_msvc_like},/WX,-Werror>")
endif()

unset(_netlite_msvc_like)
