// SPDX-License-Identifier: MIT
// One of two translation units of the ODR check (see odr_check.hpp).
#include <netlite/netlite.hpp>

#include "odr_check.hpp"

namespace netlite_odr {

const std::error_category& category_a() { return netlite::error_category(); }

std::string version_a() { return netlite::version_string; }

}  // namespace netlite_odr
