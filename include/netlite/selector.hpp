// SPDX-License-Identifier: MIT
#ifndef NETLITE_SELECTOR_HPP
#define NETLITE_SELECTOR_HPP

/// \file
/// Readiness multiplexing shaped like Python's `selectors`: a `selector` watches many handles
/// and `select` reports which are readable or writable, over select, poll (WSAPoll on Windows),
/// epoll (Linux) or kqueue (macOS, BSD). Also `accept_guard`, for accept loops that run out of
/// descriptors, and (from `timer.hpp`) `timer_queue`. Pulls in the OS headers through `detail/`.
///
/// Python -> netlite: `DefaultSelector()` -> `selector()`; `register(f, ev, data)` ->
/// `add(f, ev, data)` (`register` is a C++ keyword); `unregister(f)` -> `remove(f)`;
/// `modify(f, ev, data)` -> `modify(f, ev, data)`; `get_key(f)` -> `find(f)`;
/// `select(timeout)` -> `select(timeout)`, whose entries carry `handle`, `ready` (Python's
/// `events`) and `data`; `EVENT_READ` / `EVENT_WRITE` -> `events::read` / `events::write`.

#include <netlite/detail/platform.hpp>
#include <netlite/detail/selector_ops.hpp>
#include <netlite/detail/socket_ops.hpp>
#include <netlite/error.hpp>
#include <netlite/tcp.hpp>
#include <netlite/timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace netlite {

/// What a handle is watched for, and what it is ready for. A bitmask: combine with `|`.
enum class events : unsigned {
    none = 0,
    read = 1u << 0,   ///< readable: data, end of stream, an error, or a pending connection
    write = 1u << 1,  ///< writable: room in the send buffer, or an error to collect
};
constexpr events operator|(events a, events b) noexcept;
constexpr events operator&(events a, events b) noexcept;
constexpr events operator^(events a, events b) noexcept;
/// The complement within `read | write`: `~events::read == events::write`.
constexpr events operator~(events a) noexcept;
constexpr events& operator|=(events& a, events b) noexcept;
constexpr events& operator&=(events& a, events b) noexcept;
constexpr events& operator^=(events& a, events b) noexcept;
/// True when any bit is set: `if (any(e.ready & events::read))`.
constexpr bool any(events e) noexcept;

/// The OS mechanism under a selector. All are level-triggered: a handle stays ready until the
/// condition is consumed. `best` is epoll on Linux, kqueue on macOS/BSD, else poll.
enum class selector_backend { select, poll, epoll, kqueue, best };
/// "select", "poll", "epoll", "kqueue", "best".
constexpr const char* to_string(selector_backend backend) noexcept;
/// The backend `to_string` names `name` (exact, lowercase); nullopt for anything else.
constexpr std::optional<selector_backend> parse_selector_backend(std::string_view name) noexcept;

/// One entry of a `select` result.
template <typename Data>
struct selector_event {
    native_handle_type handle = detail::invalid_handle;
    events ready = events::none;  ///< a subset of the interest; `none` if removed meanwhile
    Data data{};                  ///< what was given to `add` / `modify`
};

/// A registration, as `find` reports it (Python's `SelectorKey`).
template <typename Data>
struct selector_key {
    native_handle_type handle = detail::invalid_handle;
    events interest = events::none;
    Data data{};
};

/// Watches handles for readiness. `Data` is handed back with every ready handle: a pointer
/// (the default, `void*`), an index, or any small trivially copyable value. Move-only; not
/// thread-safe, except `wakeup`. Handles are not owned: `remove` a handle before closing it.
///
/// Costs: `select` finds a ready handle's data in O(1) and allocates only to grow its buffers
/// after registrations grew (never in a steady state); `add` and `remove` are O(1) (`add`
/// allocates only to grow). Bookkeeping is a table indexed by handle value, so memory grows
/// with the largest handle registered (about 24 bytes each).
template <typename Data = void*>
class basic_selector {
    static_assert(std::is_trivially_copyable_v<Data> && std::is_default_constructible_v<Data>,
                  "selector data must be trivially copyable and default constructible");

  public:
    using data_type = Data;
    using event_type = selector_event<Data>;
    using key_type = selector_key<Data>;

    /// A view of the ready handles, valid until the next `select` or until the selector moves
    /// or dies; `add`, `modify` and `remove` may be called while iterating. `remove` and
    /// `modify` update entries not yet visited: a handle removed by an earlier entry's handler
    /// shows up with `ready == events::none`.
    class ready_set {
      public:
        using value_type = event_type;
        using iterator = const event_type*;
        ready_set() noexcept = default;
        iterator begin() const noexcept { return first_; }
        iterator end() const noexcept { return last_; }
        std::size_t size() const noexcept { return static_cast<std::size_t>(last_ - first_); }
        bool empty() const noexcept { return first_ == last_; }
        const event_type& operator[](std::size_t i) const noexcept { return first_[i]; }

      private:
        friend class basic_selector;
        ready_set(const event_type* first, const event_type* last) noexcept
            : first_(first), last_(last) {}
        const event_type* first_ = nullptr;
        const event_type* last_ = nullptr;
    };

    /// Opens the best backend for this OS; throws `std::system_error`.
    basic_selector() : basic_selector(selector_backend::best) {}
    /// Opens `backend`; throws `std::system_error` (`operation_not_supported` if this OS lacks
    /// it, `handle_out_of_range` if select's own wake-up handle is past FD_SETSIZE).
    explicit basic_selector(selector_backend backend);
    /// As above; on failure `ec` is set and the selector is closed (`is_open()` is false).
    basic_selector(selector_backend backend, std::error_code& ec) noexcept;
    basic_selector(basic_selector&& other) noexcept;
    basic_selector& operator=(basic_selector&& other) noexcept;
    basic_selector(const basic_selector&) = delete;
    basic_selector& operator=(const basic_selector&) = delete;
    /// Closes the selector's own handles (never the registered ones).
    ~basic_selector() { close(); }

    /// Whether this build and OS offer `backend` (`best` always is).
    static bool is_available(selector_backend backend) noexcept;
    /// The backend in use; never `best`.
    selector_backend backend() const noexcept { return backend_; }
    bool is_open() const noexcept { return wake_[0] != detail::invalid_handle; }
    /// Releases the selector's own handles and forgets every registration.
    void close() noexcept;
    /// Exchanges the complete state of two selectors.
    void swap(basic_selector& other) noexcept;

    /// Python's `register`: watch `handle` for `interest` (`read`, `write` or both).
    /// Errors: `netlite::error::already_registered`, `std::errc::bad_file_descriptor` (closed
    /// or invalid handle), `netlite::error::invalid_argument` (interest empty or unknown bits),
    /// `netlite::error::handle_out_of_range` (select backend, handle >= FD_SETSIZE),
    /// `operation_not_permitted` (epoll: a regular file).
    void add(native_handle_type handle, events interest, Data data, std::error_code& ec) noexcept;
    void add(native_handle_type handle, events interest, Data data = Data{});
    /// Changes the interest and the data (the data alone costs no system call).
    /// Errors: `not_registered`, `invalid_argument`.
    void modify(native_handle_type handle, events interest, Data data,
                std::error_code& ec) noexcept;
    void modify(native_handle_type handle, events interest, Data data);
    /// Changes the interest and keeps the data.
    void modify(native_handle_type handle, events interest, std::error_code& ec) noexcept;
    void modify(native_handle_type handle, events interest);
    /// Python's `unregister`. Errors: `not_registered`. A handle closed before its removal is
    /// still forgotten without error (the OS already dropped it).
    void remove(native_handle_type handle, std::error_code& ec) noexcept;
    void remove(native_handle_type handle);

    /// The same calls for anything with `native_handle()`: `tcp_stream`, `udp_socket`...
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void add(const Socket& s, events interest, Data data, std::error_code& ec) noexcept {
        add(s.native_handle(), interest, data, ec);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void add(const Socket& s, events interest, Data data = Data{}) {
        add(s.native_handle(), interest, data);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void modify(const Socket& s, events interest, Data data, std::error_code& ec) noexcept {
        modify(s.native_handle(), interest, data, ec);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void modify(const Socket& s, events interest, Data data) {
        modify(s.native_handle(), interest, data);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void modify(const Socket& s, events interest, std::error_code& ec) noexcept {
        modify(s.native_handle(), interest, ec);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void modify(const Socket& s, events interest) {
        modify(s.native_handle(), interest);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void remove(const Socket& s, std::error_code& ec) noexcept {
        remove(s.native_handle(), ec);
    }
    template <typename Socket, typename = decltype(std::declval<const Socket&>().native_handle())>
    void remove(const Socket& s) {
        remove(s.native_handle());
    }

    /// Python's `get_key`: the registration of `handle`, or nullopt.
    std::optional<key_type> find(native_handle_type handle) const noexcept;
    bool contains(native_handle_type handle) const noexcept { return lookup(handle) != nullptr; }
    /// The number of registered handles.
    std::size_t size() const noexcept { return count_; }

    /// Waits until a registered handle is ready, `wakeup` is called, or `timeout` passes
    /// (nullopt: no limit; zero or less: just look). A timeout or a wake-up is an empty set,
    /// not an error. EINTR is retried with the time left. Errors: `bad_file_descriptor`
    /// (select backend: a registered handle was closed), `not_enough_memory`.
    ready_set select(std::optional<milliseconds> timeout, std::error_code& ec) noexcept;
    ready_set select(std::optional<milliseconds> timeout = std::nullopt);

    /// Makes the `select` in progress return (or the next one, if none is waiting). Callable
    /// from any thread and from a signal handler (it is one write(2)); wake-ups coalesce and
    /// are never reported as events. The selector must outlive the call.
    void wakeup() const noexcept;

  private:
    static constexpr std::uint32_t npos = UINT32_MAX;
    struct slot {
        Data data{};
        events interest = events::none;  // none: not registered
        std::uint32_t pos = npos;        // poll: index in pollfds_; select: in handles_
        std::uint32_t ready_pos = npos;  // index in ready_ during the last select, if any
    };

    static selector_backend resolve(selector_backend b) noexcept;
    static bool valid_interest(events e) noexcept {
        return any(e) && (static_cast<unsigned>(e) & ~3u) == 0;
    }
    slot* lookup(native_handle_type h) noexcept;
    const slot* lookup(native_handle_type h) const noexcept;
    void open(selector_backend backend, std::error_code& ec) noexcept;
    std::size_t ready_wanted() const noexcept;
    void reserve_ready();
    void kernel_update(native_handle_type h, events old_interest, events new_interest,
                       std::error_code& ec) noexcept;
    void forget_ready(native_handle_type h, const slot& s) noexcept;
    void wait_select(detail::ops::clock::time_point deadline, std::error_code& ec) noexcept;
    void wait_poll(detail::ops::clock::time_point deadline, std::error_code& ec) noexcept;
    void wait_epoll(detail::ops::clock::time_point deadline, std::error_code& ec) noexcept;
    void wait_kqueue(detail::ops::clock::time_point deadline, std::error_code& ec) noexcept;
    void push_ready(native_handle_type h, events ready) noexcept;

    selector_backend backend_ = selector_backend::poll;
    native_handle_type wake_[2] = {detail::invalid_handle, detail::invalid_handle};
    native_handle_type kernel_ = detail::invalid_handle;  // the epoll or kqueue descriptor
    std::vector<slot> slots_;                             // indexed by handle
    std::size_t count_ = 0;
    std::vector<event_type> ready_;  // sized so that one select can never overflow it
    std::size_t ready_count_ = 0;
    std::vector<pollfd> pollfds_;              // poll: [0] is the wake-up channel
    std::vector<native_handle_type> handles_;  // select: the registered handles, densely
    fd_set read_set_{};
    fd_set write_set_{};
    native_handle_type max_handle_ = detail::invalid_handle;
#if defined(NETLITE_HAS_EPOLL)
    std::vector<epoll_event> epoll_events_;
#endif
#if defined(NETLITE_HAS_KQUEUE)
    std::vector<struct kevent> kevents_;
#endif
};

/// The selector most code wants: data is a `void*`.
using selector = basic_selector<void*>;

/// Keeps one spare descriptor (/dev/null) so that an accept loop survives running out of
/// descriptors. Without it a listener stays readable while accept fails with EMFILE, and a
/// level-triggered loop spins at 100% CPU while the client hangs. With it, on EMFILE/ENFILE
/// the spare is closed, the pending connection accepted and closed at once (its client sees
/// the connection closed), and the spare reopened. Best effort: another thread may take the
/// freed descriptor first. Idea from libev/libuv; see also accept(2), "Error handling".
class accept_guard {
  public:
    /// Opens the spare; throws `std::system_error`.
    accept_guard();
    /// Opens the spare; on failure `ec` is set and `has_spare()` is false (retried later).
    explicit accept_guard(std::error_code& ec) noexcept;
    accept_guard(accept_guard&& other) noexcept
        : spare_(std::exchange(other.spare_, detail::invalid_handle)) {}
    accept_guard& operator=(accept_guard&& other) noexcept;
    accept_guard(const accept_guard&) = delete;
    accept_guard& operator=(const accept_guard&) = delete;
    ~accept_guard() { detail::ops::close_file(spare_); }

    /// `listener.accept(ec)`, except that out of descriptors one pending connection is shed as
    /// described above and the error is still reported (`too_many_files_open` or
    /// `too_many_files_open_in_system`) with an empty result. Call again while the listener
    /// is readable: each call sheds at most one connection.
    accepted_connection accept(tcp_listener& listener, std::error_code& ec) noexcept;
    accepted_connection accept(tcp_listener& listener);
    /// Whether the spare is held (false only while the process is out of descriptors).
    bool has_spare() const noexcept { return spare_ != detail::invalid_handle; }

  private:
    native_handle_type spare_ = detail::invalid_handle;
};

// ---- implementation ----

constexpr events operator|(events a, events b) noexcept {
    return static_cast<events>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr events operator&(events a, events b) noexcept {
    return static_cast<events>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}
constexpr events operator^(events a, events b) noexcept {
    return static_cast<events>(static_cast<unsigned>(a) ^ static_cast<unsigned>(b));
}
constexpr events operator~(events a) noexcept {
    return static_cast<events>(~static_cast<unsigned>(a) & 3u);
}
constexpr events& operator|=(events& a, events b) noexcept { return a = a | b; }
constexpr events& operator&=(events& a, events b) noexcept { return a = a & b; }
constexpr events& operator^=(events& a, events b) noexcept { return a = a ^ b; }
constexpr bool any(events e) noexcept { return e != events::none; }

constexpr const char* to_string(selector_backend backend) noexcept {
    switch (backend) {
        case selector_backend::select: return "select";
        case selector_backend::poll: return "poll";
        case selector_backend::epoll: return "epoll";
        case selector_backend::kqueue: return "kqueue";
        case selector_backend::best: return "best";
    }
    return "unknown";
}

constexpr std::optional<selector_backend> parse_selector_backend(std::string_view name) noexcept {
    for (const selector_backend b :
         {selector_backend::select, selector_backend::poll, selector_backend::epoll,
          selector_backend::kqueue, selector_backend::best})
        if (name == to_string(b)) return b;
    return std::nullopt;
}

namespace detail {

/// Error/hang-up conditions are reported as both readable and writable (as Python does): the
/// next receive or send on the handle collects the actual error or end of stream.
inline events from_poll(short revents) noexcept {
    events e = events::none;
    if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) e |= events::read;
    if (revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)) e |= events::write;
    return e;
}
inline short to_poll(events e) noexcept {
    return static_cast<short>((any(e & events::read) ? POLLIN : 0) |
                              (any(e & events::write) ? POLLOUT : 0));
}

#if defined(NETLITE_HAS_EPOLL)
inline events from_epoll(std::uint32_t mask) noexcept {
    events e = events::none;
    if (mask & (EPOLLIN | EPOLLERR | EPOLLHUP)) e |= events::read;
    if (mask & (EPOLLOUT | EPOLLERR | EPOLLHUP)) e |= events::write;
    return e;
}
inline std::uint32_t to_epoll(events e) noexcept {
    return (any(e & events::read) ? std::uint32_t{EPOLLIN} : 0u) |
           (any(e & events::write) ? std::uint32_t{EPOLLOUT} : 0u);
}
#endif

#if defined(NETLITE_HAS_KQUEUE)
inline void kevent_set(struct kevent& ev, native_handle_type h, int filter, int flags) noexcept {
    ev = {};
    ev.ident = static_cast<decltype(ev.ident)>(h);
    ev.filter = static_cast<decltype(ev.filter)>(filter);
    ev.flags = static_cast<decltype(ev.flags)>(flags);
}
#endif

/// The deadline `timeout` from now; clamped so an absurd timeout cannot overflow.
inline ops::clock::time_point deadline_after(
    std::optional<std::chrono::milliseconds> timeout) noexcept {
    if (!timeout) return ops::no_deadline;
    const auto now = ops::clock::now();
    if (timeout->count() <= 0) return now;
    const auto cap = std::chrono::duration_cast<std::chrono::milliseconds>(ops::no_deadline - now);
    return *timeout >= cap ? ops::no_deadline : now + *timeout;
}

inline bool is_descriptor_exhaustion(const std::error_code& ec) noexcept {
    return ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system;
}

}  // namespace detail

template <typename Data>
selector_backend basic_selector<Data>::resolve(selector_backend b) noexcept {
    if (b != selector_backend::best) return b;
#if defined(NETLITE_HAS_EPOLL)
    return selector_backend::epoll;
#elif defined(NETLITE_HAS_KQUEUE)
    return selector_backend::kqueue;
#else
    return selector_backend::poll;
#endif
}

template <typename Data>
bool basic_selector<Data>::is_available(selector_backend backend) noexcept {
    switch (backend) {
        case selector_backend::select:
        case selector_backend::poll:
        case selector_backend::best: return true;
        case selector_backend::epoll:
#if defined(NETLITE_HAS_EPOLL)
            return true;
#else
            return false;
#endif
        case selector_backend::kqueue:
#if defined(NETLITE_HAS_KQUEUE)
            return true;
#else
            return false;
#endif
    }
    return false;
}

template <typename Data>
basic_selector<Data>::basic_selector(selector_backend backend) {
    detail::or_throw("selector", [&](std::error_code& ec) { open(backend, ec); });
}

template <typename Data>
basic_selector<Data>::basic_selector(selector_backend backend, std::error_code& ec) noexcept {
    open(backend, ec);
}

template <typename Data>
void basic_selector<Data>::open(selector_backend backend, std::error_code& ec) noexcept {
    backend_ = resolve(backend);
    if (!is_available(backend_))
        return void(ec = detail::errc_error(std::errc::operation_not_supported));
    detail::ops::wake_open(wake_, ec);
    if (ec) return;
    switch (backend_) {
        case selector_backend::select:
            if (!detail::ops::select_can_hold(wake_[0], 0)) {
                ec = error::handle_out_of_range;
                break;
            }
            FD_ZERO(&read_set_);
            FD_ZERO(&write_set_);
            FD_SET(wake_[0], &read_set_);
            max_handle_ = wake_[0];
            break;
        case selector_backend::poll: NETLITE_TRY { pollfds_.push_back(pollfd{wake_[0], POLLIN, 0});
            }
            NETLITE_CATCH_ALL { ec = detail::errc_error(std::errc::not_enough_memory); }
            break;
        case selector_backend::epoll:
#if defined(NETLITE_HAS_EPOLL)
            kernel_ = detail::ops::epoll_create(ec);
            if (!ec) detail::ops::epoll_ctl(kernel_, EPOLL_CTL_ADD, wake_[0], EPOLLIN, ec);
#endif
            break;
        case selector_backend::kqueue:
#if defined(NETLITE_HAS_KQUEUE)
            kernel_ = detail::ops::kqueue_create(ec);
            if (!ec) {
                struct kevent change;
                detail::kevent_set(change, wake_[0], EVFILT_READ, EV_ADD);
                detail::ops::kevent_change(kernel_, &change, 1, ec);
            }
#endif
            break;
        case selector_backend::best: break;
    }
    if (!ec) {
        NETLITE_TRY { reserve_ready(); }
        NETLITE_CATCH_ALL { ec = detail::errc_error(std::errc::not_enough_memory); }
    }
    if (ec) close();
}

template <typename Data>
void basic_selector<Data>::close() noexcept {
    detail::ops::close_file(kernel_);
    kernel_ = detail::invalid_handle;
    detail::ops::wake_close(wake_);
    slots_.clear();
    count_ = 0;
    ready_count_ = 0;
    pollfds_.clear();
    handles_.clear();
    max_handle_ = detail::invalid_handle;
}

template <typename Data>
void basic_selector<Data>::swap(basic_selector& other) noexcept {
    using std::swap;
    swap(backend_, other.backend_);
    swap(wake_[0], other.wake_[0]);
    swap(wake_[1], other.wake_[1]);
    swap(kernel_, other.kernel_);
    swap(slots_, other.slots_);
    swap(count_, other.count_);
    swap(ready_, other.ready_);
    swap(ready_count_, other.ready_count_);
    swap(pollfds_, other.pollfds_);
    swap(handles_, other.handles_);
    swap(read_set_, other.read_set_);
    swap(write_set_, other.write_set_);
    swap(max_handle_, other.max_handle_);
#if defined(NETLITE_HAS_EPOLL)
    swap(epoll_events_, other.epoll_events_);
#endif
#if defined(NETLITE_HAS_KQUEUE)
    swap(kevents_, other.kevents_);
#endif
}

template <typename Data>
basic_selector<Data>::basic_selector(basic_selector&& other) noexcept {
    swap(other);  // `this` starts closed, so `other` ends closed
}

template <typename Data>
basic_selector<Data>& basic_selector<Data>::operator=(basic_selector&& other) noexcept {
    basic_selector taken(std::move(other));
    swap(taken);  // the previous state is closed by `taken`'s destructor
    return *this;
}

template <typename Data>
auto basic_selector<Data>::lookup(native_handle_type h) noexcept -> slot* {
    if (detail::is_bad_handle(h) || static_cast<std::size_t>(h) >= slots_.size()) return nullptr;
    slot& s = slots_[static_cast<std::size_t>(h)];
    return any(s.interest) ? &s : nullptr;
}

template <typename Data>
auto basic_selector<Data>::lookup(native_handle_type h) const noexcept -> const slot* {
    return const_cast<basic_selector*>(this)->lookup(h);
}

// Grows every buffer that `select` writes into so that it cannot run out: with select and
// poll every registered handle may be ready at once; epoll and kqueue take events in batches
// of at most 1024 (the rest are reported by the next call). Called by `select` before it
// waits, never by `add`, so that a ready set being iterated is never moved.
template <typename Data>
std::size_t basic_selector<Data>::ready_wanted() const noexcept {
    if (backend_ == selector_backend::epoll || backend_ == selector_backend::kqueue)
        return count_ < 16 ? 16 : count_ < 1024 ? count_ : 1024;
    return count_;
}

template <typename Data>
void basic_selector<Data>::reserve_ready() {
    std::size_t want = ready_wanted();
    if (backend_ == selector_backend::epoll || backend_ == selector_backend::kqueue) {
        std::size_t rounded = 16;  // grow in powers of two
        while (rounded < want) rounded *= 2;
        want = rounded;
    }
    if (ready_.size() < want) ready_.resize(want);
#if defined(NETLITE_HAS_EPOLL)
    if (backend_ == selector_backend::epoll && epoll_events_.size() < want)
        epoll_events_.resize(want);
#endif
#if defined(NETLITE_HAS_KQUEUE)
    if (backend_ == selector_backend::kqueue && kevents_.size() < want) kevents_.resize(want);
#endif
}

template <typename Data>
void basic_selector<Data>::kernel_update(native_handle_type h, events old_interest,
                                         events new_interest, std::error_code& ec) noexcept {
    ec.clear();
#if defined(NETLITE_HAS_EPOLL)
    if (backend_ == selector_backend::epoll) {
        const int op = !any(old_interest)   ? EPOLL_CTL_ADD
                       : !any(new_interest) ? EPOLL_CTL_DEL
                                            : EPOLL_CTL_MOD;
        detail::ops::epoll_ctl(kernel_, op, h, detail::to_epoll(new_interest), ec);
        if (ec == std::errc::file_exists) ec = error::already_registered;
    }
#endif
#if defined(NETLITE_HAS_KQUEUE)
    if (backend_ == selector_backend::kqueue) {
        struct kevent changes[2];
        int n = 0;
        const auto edit = [&](int filter, events bit) {
            const bool was = any(old_interest & bit), is = any(new_interest & bit);
            if (was != is) detail::kevent_set(changes[n++], h, filter, is ? EV_ADD : EV_DELETE);
        };
        edit(EVFILT_READ, events::read);
        edit(EVFILT_WRITE, events::write);
        if (n > 0) detail::ops::kevent_change(kernel_, changes, n, ec);
    }
#endif
    (void)h;
    (void)old_interest;
    (void)new_interest;
}

template <typename Data>
void basic_selector<Data>::add(native_handle_type h, events interest, Data data,
                               std::error_code& ec) noexcept {
    if (!is_open() || detail::is_bad_handle(h))
        return void(ec = detail::errc_error(std::errc::bad_file_descriptor));
    if (!valid_interest(interest)) return void(ec = error::invalid_argument);
    if (backend_ == selector_backend::select && !detail::ops::select_can_hold(h, handles_.size()))
        return void(ec = error::handle_out_of_range);
    if (lookup(h)) return void(ec = error::already_registered);
    if (backend_ == selector_backend::select || backend_ == selector_backend::poll) {
        detail::ops::check_open(h, ec);  // epoll and kqueue check for themselves
        if (ec) return;
    }
    // Allocate everything first, so that the registration below cannot fail half-way.
    NETLITE_TRY {
        if (static_cast<std::size_t>(h) >= slots_.size())
            slots_.resize(static_cast<std::size_t>(h) + 1);
        if (backend_ == selector_backend::poll) pollfds_.reserve(pollfds_.size() + 1);
        if (backend_ == selector_backend::select) handles_.reserve(handles_.size() + 1);
    }
    NETLITE_CATCH_ALL { return void(ec = detail::errc_error(std::errc::not_enough_memory)); }
    kernel_update(h, events::none, interest, ec);
    if (ec) return;
    slot& s = slots_[static_cast<std::size_t>(h)];
    if (backend_ == selector_backend::poll) {
        s.pos = static_cast<std::uint32_t>(pollfds_.size());
        pollfds_.push_back(pollfd{h, detail::to_poll(interest), 0});
    } else if (backend_ == selector_backend::select) {
        s.pos = static_cast<std::uint32_t>(handles_.size());
        handles_.push_back(h);
        if (any(interest & events::read)) FD_SET(h, &read_set_);
        if (any(interest & events::write)) FD_SET(h, &write_set_);
        if (h > max_handle_) max_handle_ = h;
    }
    s.interest = interest;
    s.data = data;
    s.ready_pos = npos;
    ++count_;
}

template <typename Data>
void basic_selector<Data>::add(native_handle_type h, events interest, Data data) {
    detail::or_throw("selector add", [&](std::error_code& ec) { add(h, interest, data, ec); });
}

template <typename Data>
void basic_selector<Data>::modify(native_handle_type h, events interest, Data data,
                                  std::error_code& ec) noexcept {
    if (!valid_interest(interest)) return void(ec = error::invalid_argument);
    slot* s = lookup(h);
    if (!s) return void(ec = error::not_registered);
    if (interest != s->interest) {
        kernel_update(h, s->interest, interest, ec);
        if (ec) return;
        if (backend_ == selector_backend::poll) {
            pollfds_[s->pos].events = detail::to_poll(interest);
        } else if (backend_ == selector_backend::select) {
            FD_CLR(h, &read_set_);
            FD_CLR(h, &write_set_);
            if (any(interest & events::read)) FD_SET(h, &read_set_);
            if (any(interest & events::write)) FD_SET(h, &write_set_);
        }
        s->interest = interest;
    }
    s->data = data;
    ec.clear();
    // An entry of the current ready set that has not been visited yet follows the change.
    if (s->ready_pos < ready_count_ && ready_[s->ready_pos].handle == h) {
        ready_[s->ready_pos].ready &= interest;
        ready_[s->ready_pos].data = data;
    }
}

template <typename Data>
void basic_selector<Data>::modify(native_handle_type h, events interest, Data data) {
    detail::or_throw("selector modify",
                     [&](std::error_code& ec) { modify(h, interest, data, ec); });
}

template <typename Data>
void basic_selector<Data>::modify(native_handle_type h, events interest,
                                  std::error_code& ec) noexcept {
    const slot* s = lookup(h);
    if (!s) return void(ec = error::not_registered);
    modify(h, interest, s->data, ec);
}

template <typename Data>
void basic_selector<Data>::modify(native_handle_type h, events interest) {
    detail::or_throw("selector modify", [&](std::error_code& ec) { modify(h, interest, ec); });
}

template <typename Data>
void basic_selector<Data>::remove(native_handle_type h, std::error_code& ec) noexcept {
    slot* s = lookup(h);
    if (!s) return void(ec = error::not_registered);
    kernel_update(h, s->interest, events::none, ec);
    // A handle closed before its removal is already gone from epoll and kqueue.
    if (ec == std::errc::bad_file_descriptor || ec == std::errc::no_such_file_or_directory)
        ec.clear();
    if (backend_ == selector_backend::poll) {
        const pollfd last = pollfds_.back();
        pollfds_[s->pos] = last;
        slots_[static_cast<std::size_t>(last.fd)].pos = s->pos;
        pollfds_.pop_back();
    } else if (backend_ == selector_backend::select) {
        const native_handle_type last = handles_.back();
        handles_[s->pos] = last;
        slots_[static_cast<std::size_t>(last)].pos = s->pos;
        handles_.pop_back();
        FD_CLR(h, &read_set_);
        FD_CLR(h, &write_set_);
        if (h == max_handle_) {
            max_handle_ = wake_[0];
            for (native_handle_type fd = h - 1; fd > max_handle_; --fd) {
                if (lookup(fd)) {
                    max_handle_ = fd;
                    break;
                }
            }
        }
    }
    forget_ready(h, *s);
    *s = slot{};
    --count_;
}

template <typename Data>
void basic_selector<Data>::remove(native_handle_type h) {
    detail::or_throw("selector remove", [&](std::error_code& ec) { remove(h, ec); });
}

template <typename Data>
void basic_selector<Data>::forget_ready(native_handle_type h, const slot& s) noexcept {
    if (s.ready_pos < ready_count_ && ready_[s.ready_pos].handle == h) {
        ready_[s.ready_pos].ready = events::none;
        ready_[s.ready_pos].data = Data{};
    }
}

template <typename Data>
auto basic_selector<Data>::find(native_handle_type h) const noexcept -> std::optional<key_type> {
    const slot* s = lookup(h);
    if (!s) return std::nullopt;
    return key_type{h, s->interest, s->data};
}

template <typename Data>
void basic_selector<Data>::wakeup() const noexcept {
    if (wake_[1] != detail::invalid_handle) detail::ops::wake_signal(wake_[1]);
}

template <typename Data>
void basic_selector<Data>::push_ready(native_handle_type h, events ready) noexcept {
    slot& s = slots_[static_cast<std::size_t>(h)];
    ready &= s.interest;
    if (!any(ready)) return;
    // kqueue reports reading and writing as separate events: merge them into one entry.
    if (s.ready_pos < ready_count_ && ready_[s.ready_pos].handle == h) {
        ready_[s.ready_pos].ready |= ready;
        return;
    }
    s.ready_pos = static_cast<std::uint32_t>(ready_count_);
    ready_[ready_count_++] = event_type{h, ready, s.data};
}

template <typename Data>
auto basic_selector<Data>::select(std::optional<milliseconds> timeout, std::error_code& ec) noexcept
    -> ready_set {
    ready_count_ = 0;
    if (!is_open()) {
        ec = detail::errc_error(std::errc::bad_file_descriptor);
        return {};
    }
    if (ready_.size() < ready_wanted()) {
        NETLITE_TRY { reserve_ready(); }
        NETLITE_CATCH_ALL {
            ec = detail::errc_error(std::errc::not_enough_memory);
            return {};
        }
    }
    const auto deadline = detail::deadline_after(timeout);
    switch (backend_) {
        case selector_backend::select: wait_select(deadline, ec); break;
        case selector_backend::poll: wait_poll(deadline, ec); break;
        case selector_backend::epoll: wait_epoll(deadline, ec); break;
        case selector_backend::kqueue: wait_kqueue(deadline, ec); break;
        case selector_backend::best: break;
    }
    return ready_set(ready_.data(), ready_.data() + ready_count_);
}

template <typename Data>
auto basic_selector<Data>::select(std::optional<milliseconds> timeout) -> ready_set {
    return detail::or_throw("select", [&](std::error_code& ec) { return select(timeout, ec); });
}

template <typename Data>
void basic_selector<Data>::wait_select(detail::ops::clock::time_point deadline,
                                       std::error_code& ec) noexcept {
    fd_set readable, writable;
    int n = detail::ops::select(static_cast<int>(max_handle_ + 1), read_set_, write_set_, readable,
                                writable, deadline, ec);
    if (n <= 0) return;
    if (FD_ISSET(wake_[0], &readable)) {
        detail::ops::wake_drain(wake_[0]);
        --n;
    }
    for (std::size_t i = 0; i < handles_.size() && n > 0; ++i) {
        const native_handle_type h = handles_[i];
        events ready = events::none;
        if (FD_ISSET(h, &readable)) {
            ready |= events::read;
            --n;
        }
        if (FD_ISSET(h, &writable)) {
            ready |= events::write;
            --n;
        }
        if (any(ready)) push_ready(h, ready);
    }
}

template <typename Data>
void basic_selector<Data>::wait_poll(detail::ops::clock::time_point deadline,
                                     std::error_code& ec) noexcept {
    int n = detail::ops::poll(pollfds_.data(), pollfds_.size(), deadline, ec);
    if (n <= 0) return;
    if (pollfds_[0].revents != 0) {
        detail::ops::wake_drain(wake_[0]);
        --n;
    }
    for (std::size_t i = 1; i < pollfds_.size() && n > 0; ++i) {
        const short revents = pollfds_[i].revents;
        if (revents == 0) continue;
        --n;
        push_ready(pollfds_[i].fd, detail::from_poll(revents));
    }
}

template <typename Data>
void basic_selector<Data>::wait_epoll(detail::ops::clock::time_point deadline,
                                      std::error_code& ec) noexcept {
#if defined(NETLITE_HAS_EPOLL)
    const int n = detail::ops::epoll_wait(kernel_, epoll_events_.data(),
                                          static_cast<int>(epoll_events_.size()), deadline, ec);
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = epoll_events_[static_cast<std::size_t>(i)];
        if (ev.data.fd == wake_[0]) {
            detail::ops::wake_drain(wake_[0]);
            continue;
        }
        push_ready(ev.data.fd, detail::from_epoll(ev.events));
    }
#else
    (void)deadline;
    ec = detail::errc_error(std::errc::operation_not_supported);
#endif
}

template <typename Data>
void basic_selector<Data>::wait_kqueue(detail::ops::clock::time_point deadline,
                                       std::error_code& ec) noexcept {
#if defined(NETLITE_HAS_KQUEUE)
    const int n = detail::ops::kevent_wait(kernel_, kevents_.data(),
                                           static_cast<int>(kevents_.size()), deadline, ec);
    for (int i = 0; i < n; ++i) {
        const struct kevent& ev = kevents_[static_cast<std::size_t>(i)];
        const auto h = static_cast<native_handle_type>(ev.ident);
        if (h == wake_[0]) {
            detail::ops::wake_drain(wake_[0]);
            continue;
        }
        const events ready = ev.filter == EVFILT_READ    ? events::read
                             : ev.filter == EVFILT_WRITE ? events::write
                                                         : events::none;
        // EV_EOF / EV_ERROR need no special case: the next receive or send reports them.
        push_ready(h, ready);
    }
#else
    (void)deadline;
    ec = detail::errc_error(std::errc::operation_not_supported);
#endif
}

inline accept_guard::accept_guard() {
    detail::or_throw("accept_guard",
                     [&](std::error_code& ec) { spare_ = detail::ops::open_null_device(ec); });
}

inline accept_guard::accept_guard(std::error_code& ec) noexcept
    : spare_(detail::ops::open_null_device(ec)) {}

inline accept_guard& accept_guard::operator=(accept_guard&& other) noexcept {
    if (this != &other) {
        detail::ops::close_file(spare_);
        spare_ = std::exchange(other.spare_, detail::invalid_handle);
    }
    return *this;
}

inline accepted_connection accept_guard::accept(tcp_listener& listener,
                                                std::error_code& ec) noexcept {
    std::error_code ignored;
    if (spare_ == detail::invalid_handle) spare_ = detail::ops::open_null_device(ignored);
    accepted_connection result = listener.accept(ec);
    if (!ec || !detail::is_descriptor_exhaustion(ec)) return result;
    // Out of descriptors: free the spare, take the connection off the queue and drop it, then
    // hold the spare again. A listener is always O_NONBLOCK in the kernel, so this cannot block.
    detail::ops::close_file(spare_);
    spare_ = detail::invalid_handle;
    const native_handle_type shed =
        detail::ops::accept(listener.native_handle(), nullptr, nullptr, true, ignored);
    if (shed != detail::invalid_handle) detail::ops::close_socket(shed, ignored);
    spare_ = detail::ops::open_null_device(ignored);
    return result;
}

inline accepted_connection accept_guard::accept(tcp_listener& listener) {
    return detail::or_throw("accept", [&](std::error_code& ec) { return accept(listener, ec); });
}

}  // namespace netlite

#endif  // NETLITE_SELECTOR_HPP
