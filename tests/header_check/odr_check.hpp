// SPDX-License-Identifier: MIT
// The ODR check: odr_a.cpp and odr_b.cpp both include <netlite/netlite.hpp> and are linked into
// one program by odr_main.cpp. A function or variable defined in a header without `inline` makes
// the link fail; a category object duplicated per translation unit makes the program fail.
#ifndef NETLITE_TESTS_ODR_CHECK_HPP
#define NETLITE_TESTS_ODR_CHECK_HPP

#include <string>
#include <system_error>

namespace netlite_odr {

const std::error_category& category_a();
const std::error_category& category_b();
std::string version_a();
std::string version_b();

}  // namespace netlite_odr

#endif  // NETLITE_TESTS_ODR_CHECK_HPP
