# SPDX-License-Identifier: MIT
#
# Install and export rules for netlite (included when NETLITE_INSTALL is ON):
#   <prefix>/include/netlite/**                         headers
#   <prefix>/share/cmake/netlite/netlite{Config,ConfigVersion,Targets}.cmake
#   <prefix>/share/pkgconfig/netlite.pc                 relocatable (paths relative to the .pc)
#   <prefix>/share/doc/netlite/LICENSE
# plus a build-tree export, so find_package(netlite) works with netlite_DIR=<build dir>.
# Header-only and architecture independent, hence share/ rather than lib/.
include(CMakePackageConfigHelpers)

set(_netlite_cmake_dir "${CMAKE_INSTALL_DATADIR}/cmake/netlite")
set(_netlite_pkgconfig_dir "${CMAKE_INSTALL_DATADIR}/pkgconfig")

install(TARGETS netlite EXPORT netliteTargets)
install(
    DIRECTORY "${PROJECT_SOURCE_DIR}/include/netlite"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    FILES_MATCHING
    PATTERN "*.hpp")
install(
    EXPORT netliteTargets
    NAMESPACE netlite::
    FILE netliteTargets.cmake
    DESTINATION "${_netlite_cmake_dir}")

configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/netliteConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/netlite-install/netliteConfig.cmake"
    INSTALL_DESTINATION "${_netlite_cmake_dir}")
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/netliteConfigVersion.cmake"
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/netlite-install/netliteConfig.cmake"
              "${PROJECT_BINARY_DIR}/netliteConfigVersion.cmake"
        DESTINATION "${_netlite_cmake_dir}")

# Build tree: netliteTargets.cmake points at the source include/ directory.
export(
    EXPORT netliteTargets
    NAMESPACE netlite::
    FILE "${PROJECT_BINARY_DIR}/netliteTargets.cmake")
configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/netliteConfig.cmake.in" "${PROJECT_BINARY_DIR}/netliteConfig.cmake"
    INSTALL_DESTINATION "${PROJECT_BINARY_DIR}"
    INSTALL_PREFIX "${PROJECT_BINARY_DIR}")

# pkg-config: paths are relative to ${pcfiledir} so the installed tree can be moved. That is only
# possible when both directories are relative to the prefix (the GNUInstallDirs default).
if(IS_ABSOLUTE "${CMAKE_INSTALL_DATADIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(_netlite_pc_prefix "${CMAKE_INSTALL_PREFIX}")
    set(_netlite_pc_includedir "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
    set(_netlite_root "/netlite-prefix")
    file(RELATIVE_PATH _netlite_up "${_netlite_root}/${_netlite_pkgconfig_dir}" "${_netlite_root}")
    string(REGEX REPLACE "/$" "" _netlite_up "${_netlite_up}")
    set(_netlite_pc_prefix "\${pcfiledir}/${_netlite_up}")
    set(_netlite_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
    unset(_netlite_root)
    unset(_netlite_up)
endif()
if(WIN32)
    set(_netlite_pc_libs " -lws2_32 -liphlpapi")
else()
    set(_netlite_pc_libs "")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/netlite.pc.in" "${PROJECT_BINARY_DIR}/netlite.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/netlite.pc" DESTINATION "${_netlite_pkgconfig_dir}")

install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
