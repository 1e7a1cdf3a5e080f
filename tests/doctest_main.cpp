// SPDX-License-Identifier: MIT
// The one doctest main that every test executable links (compiled once, not per test).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
