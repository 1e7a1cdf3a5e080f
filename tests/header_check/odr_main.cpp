// SPDX-License-Identifier: MIT
// The ODR check's main (see odr_check.hpp): linking proves the headers define nothing twice;
// running proves both translation units see the same category object and version.
#include <cstdio>

#include "odr_check.hpp"

int main() {
    if (&netlite_odr::category_a() != &netlite_odr::category_b()) {
        std::fprintf(stderr, "netlite::error_category() differs between translation units\n");
        return 1;
    }
    if (netlite_odr::version_a() != netlite_odr::version_b()) {
        std::fprintf(stderr, "netlite::version_string differs between translation units\n");
        return 1;
    }
    std::printf("one definition of netlite %s across translation units\n",
                netlite_odr::version_a().c_str());
    return 0;
}
