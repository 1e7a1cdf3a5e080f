// SPDX-License-Identifier: MIT
#ifndef NETLITE_VERSION_HPP
#define NETLITE_VERSION_HPP

/// \file
/// The library version, as macros for the preprocessor and CMake (which reads this file) and as
/// a constexpr string. No OS headers.

#define NETLITE_VERSION_MAJOR 0
#define NETLITE_VERSION_MINOR 1
#define NETLITE_VERSION_PATCH 0

/// One integer that orders versions: major * 10000 + minor * 100 + patch.
#define NETLITE_VERSION \
    (NETLITE_VERSION_MAJOR * 10000 + NETLITE_VERSION_MINOR * 100 + NETLITE_VERSION_PATCH)

namespace netlite {

/// "major.minor.patch"
inline constexpr const char version_string[] = "0.1.0";

}  // namespace netlite

#endif  // NETLITE_VERSION_HPP
