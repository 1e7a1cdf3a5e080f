// SPDX-License-Identifier: MIT
#ifndef NETLITE_NETLITE_HPP
#define NETLITE_NETLITE_HPP

/// \file
/// Everything netlite offers, in one include. Prefer the narrower headers in libraries:
/// `socket.hpp` alone is enough for TCP and UDP programs.

#include <netlite/address.hpp>
#include <netlite/batch.hpp>
#include <netlite/buffer.hpp>
#include <netlite/byte_order.hpp>
#include <netlite/endpoint.hpp>
#include <netlite/error.hpp>
#include <netlite/http.hpp>
#include <netlite/line_reader.hpp>
#include <netlite/resolver.hpp>
#include <netlite/selector.hpp>
#include <netlite/send_queue.hpp>
#include <netlite/socket.hpp>
#include <netlite/tcp.hpp>
#include <netlite/testing.hpp>
#include <netlite/timer.hpp>
#include <netlite/udp.hpp>
#include <netlite/version.hpp>

#endif  // NETLITE_NETLITE_HPP
