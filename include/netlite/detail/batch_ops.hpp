// SPDX-License-Identifier: MIT
#ifndef NETLITE_DETAIL_BATCH_OPS_HPP
#define NETLITE_DETAIL_BATCH_OPS_HPP

/// \file
/// The batched datagram syscalls behind `batch.hpp`: sendmmsg / recvmmsg where the OS has
/// them (`NETLITE_HAS_MMSG`). One noexcept wrapper per call; EINTR retried; SIGPIPE never.

#include <netlite/detail/platform.hpp>
#include <netlite/detail/socket_ops.hpp>

#include <system_error>

namespace netlite::detail::ops {

#if defined(NETLITE_HAS_MMSG)
/// Sends up to `count` messages; returns how many went (the first failure ends the batch and
/// is reported only when it is the first message), or -1 with `ec` set.
inline int sendmmsg(native_handle_type h, mmsghdr* messages, unsigned count, int flags,
                    std::error_code& ec) noexcept {
    for (;;) {
        const int n = ::sendmmsg(h, messages, count, flags | no_sigpipe_flag);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}

/// Receives up to `count` messages; returns how many arrived, or -1 with `ec` set. No timeout
/// argument: recvmmsg's is only checked between datagrams (see BUGS in recvmmsg(2)).
inline int recvmmsg(native_handle_type h, mmsghdr* messages, unsigned count, int flags,
                    std::error_code& ec) noexcept {
    for (;;) {
        const int n = ::recvmmsg(h, messages, count, flags, nullptr);
        if (n >= 0) return clear(ec), n;
        if (errno != EINTR) return ec = last_error(), -1;
    }
}
#endif

}  // namespace netlite::detail::ops

#endif  // NETLITE_DETAIL_BATCH_OPS_HPP
