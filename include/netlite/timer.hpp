// SPDX-License-Identifier: MIT
#ifndef NETLITE_TIMER_HPP
#define NETLITE_TIMER_HPP

/// \file
/// `timer_queue`: deadlines on `std::chrono::steady_clock` for a single-threaded event loop,
/// so a server can enforce idle and per-request timeouts without a thread per client. It
/// composes with `selector::select`: wait with `sel.select(timers.next_timeout())`, push an
/// idle deadline back on activity with `reschedule`, then drain `while (auto id =
/// timers.pop_expired()) ...`. No OS headers.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace netlite {

/// A queue of (deadline, id) timers: an indexed binary heap, so schedule, cancel and
/// reschedule are O(log n) and the next deadline is O(1). Not thread-safe. Timers with equal
/// deadlines expire in the order they were (re)scheduled.
class timer_queue {
  public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;
    using duration = clock::duration;
    /// What the caller gets back when a timer expires (a connection number, a handle...).
    using id_type = std::uint64_t;

    /// Names one scheduled timer. Stays valid until that timer expires or is cancelled; after
    /// that every call taking it is a harmless no-op (even once its storage is reused).
    class handle {
      public:
        constexpr handle() noexcept = default;
        friend constexpr bool operator==(handle a, handle b) noexcept {
            return a.index_ == b.index_ && a.generation_ == b.generation_;
        }
        friend constexpr bool operator!=(handle a, handle b) noexcept { return !(a == b); }

      private:
        friend class timer_queue;
        constexpr handle(std::uint32_t index, std::uint32_t generation) noexcept
            : index_(index), generation_(generation) {}
        std::uint32_t index_ = UINT32_MAX;
        std::uint32_t generation_ = 0;
    };

    /// Schedules `id` to expire at `deadline` (or after `delay` from now). Allocates only when
    /// the queue grows past its largest size so far; throws `std::bad_alloc`.
    handle schedule(time_point deadline, id_type id);
    handle schedule(duration delay, id_type id);
    /// Removes a pending timer. False if it already expired or was cancelled.
    bool cancel(handle h) noexcept;
    /// Moves a pending timer to a new deadline (earlier or later). False if it is no longer
    /// pending (then nothing is scheduled: call `schedule` again).
    bool reschedule(handle h, time_point deadline) noexcept;
    bool reschedule(handle h, duration delay) noexcept;
    /// Whether `h` is still waiting to expire.
    bool is_pending(handle h) const noexcept;

    /// The earliest deadline, or nullopt when no timer is pending.
    std::optional<time_point> next_deadline() const noexcept;
    /// The wait until the earliest deadline, rounded up to whole milliseconds so a selector
    /// never wakes just before it; zero when one is overdue; nullopt (wait for ever) when empty.
    std::optional<std::chrono::milliseconds> next_timeout(
        time_point now = clock::now()) const noexcept;

    /// Removes and returns the id of the earliest timer whose deadline is at or before `now`;
    /// nullopt when none is due. Loop on it: handlers may schedule or cancel in between.
    std::optional<id_type> pop_expired(time_point now = clock::now()) noexcept;
    /// Removes every timer due at `now` and appends their ids to `out` in deadline order.
    /// Returns how many were appended.
    std::size_t pop_expired(time_point now, std::vector<id_type>& out);

    std::size_t size() const noexcept { return heap_.size(); }
    bool empty() const noexcept { return heap_.empty(); }
    /// Cancels every timer (outstanding handles become stale).
    void clear() noexcept;

  private:
    struct node {
        time_point deadline;
        std::uint64_t sequence;  // ties on equal deadlines: first scheduled, first expired
        std::uint32_t slot;
    };
    struct slot_entry {
        id_type id = 0;
        std::uint32_t heap_pos = npos;
        std::uint32_t generation = 0;
    };
    static constexpr std::uint32_t npos = UINT32_MAX;

    static time_point after(duration delay) noexcept;
    static bool earlier(const node& a, const node& b) noexcept {
        return a.deadline < b.deadline || (a.deadline == b.deadline && a.sequence < b.sequence);
    }
    const slot_entry* find(handle h) const noexcept;
    void place(std::size_t pos, const node& n) noexcept;
    void sift_up(std::size_t pos) noexcept;
    void sift_down(std::size_t pos) noexcept;
    void erase_at(std::size_t pos) noexcept;
    void release(std::uint32_t slot) noexcept;

    std::vector<node> heap_;
    std::vector<slot_entry> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_sequence_ = 0;
};

// ---- implementation ----

inline timer_queue::time_point timer_queue::after(duration delay) noexcept {
    const time_point now = clock::now();
    if (delay <= duration::zero()) return now;
    // Saturate instead of overflowing: "in a thousand years" means "never, in practice".
    if (delay >= time_point::max() - now) return time_point::max();
    return now + delay;
}

inline const timer_queue::slot_entry* timer_queue::find(handle h) const noexcept {
    if (h.index_ >= slots_.size()) return nullptr;
    const slot_entry& s = slots_[h.index_];
    if (s.generation != h.generation_ || s.heap_pos == npos) return nullptr;
    return &s;
}

inline void timer_queue::place(std::size_t pos, const node& n) noexcept {
    heap_[pos] = n;
    slots_[n.slot].heap_pos = static_cast<std::uint32_t>(pos);
}

inline void timer_queue::sift_up(std::size_t pos) noexcept {
    const node moving = heap_[pos];
    while (pos > 0) {
        const std::size_t parent = (pos - 1) / 2;
        if (!earlier(moving, heap_[parent])) break;
        place(pos, heap_[parent]);
        pos = parent;
    }
    place(pos, moving);
}

inline void timer_queue::sift_down(std::size_t pos) noexcept {
    const node moving = heap_[pos];
    const std::size_t n = heap_.size();
    for (;;) {
        std::size_t child = 2 * pos + 1;
        if (child >= n) break;
        if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
        if (!earlier(heap_[child], moving)) break;
        place(pos, heap_[child]);
        pos = child;
    }
    place(pos, moving);
}

inline void timer_queue::release(std::uint32_t slot) noexcept {
    slot_entry& s = slots_[slot];
    s.heap_pos = npos;
    ++s.generation;
    // Cannot throw: free_slots_ keeps capacity for every slot (reserved in schedule).
    free_slots_.push_back(slot);
}

inline void timer_queue::erase_at(std::size_t pos) noexcept {
    const std::uint32_t slot = heap_[pos].slot;
    const node last = heap_.back();
    heap_.pop_back();
    if (pos < heap_.size()) {
        place(pos, last);
        if (pos > 0 && earlier(last, heap_[(pos - 1) / 2]))
            sift_up(pos);
        else
            sift_down(pos);
    }
    release(slot);
}

inline timer_queue::handle timer_queue::schedule(time_point deadline, id_type id) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        // Reserve first so that nothing after the new slot exists can throw.
        free_slots_.reserve(slots_.size() + 1);
        heap_.reserve(slots_.size() + 1);
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot].id = id;
    heap_.push_back(node{deadline, next_sequence_++, slot});  // capacity >= slots_.size()
    sift_up(heap_.size() - 1);
    return handle(slot, slots_[slot].generation);
}

inline timer_queue::handle timer_queue::schedule(duration delay, id_type id) {
    return schedule(after(delay), id);
}

inline bool timer_queue::cancel(handle h) noexcept {
    const slot_entry* s = find(h);
    if (!s) return false;
    erase_at(s->heap_pos);
    return true;
}

inline bool timer_queue::reschedule(handle h, time_point deadline) noexcept {
    const slot_entry* s = find(h);
    if (!s) return false;
    const std::size_t pos = s->heap_pos;
    const node old = heap_[pos];
    heap_[pos].deadline = deadline;
    heap_[pos].sequence = next_sequence_++;
    if (earlier(heap_[pos], old))
        sift_up(pos);
    else
        sift_down(pos);
    return true;
}

inline bool timer_queue::reschedule(handle h, duration delay) noexcept {
    return reschedule(h, after(delay));
}

inline bool timer_queue::is_pending(handle h) const noexcept { return find(h) != nullptr; }

inline std::optional<timer_queue::time_point> timer_queue::next_deadline() const noexcept {
    if (heap_.empty()) return std::nullopt;
    return heap_.front().deadline;
}

inline std::optional<std::chrono::milliseconds> timer_queue::next_timeout(
    time_point now) const noexcept {
    if (heap_.empty()) return std::nullopt;
    const time_point deadline = heap_.front().deadline;
    if (deadline <= now) return std::chrono::milliseconds::zero();
    return std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
}

inline std::optional<timer_queue::id_type> timer_queue::pop_expired(time_point now) noexcept {
    if (heap_.empty() || heap_.front().deadline > now) return std::nullopt;
    const id_type id = slots_[heap_.front().slot].id;
    erase_at(0);
    return id;
}

inline std::size_t timer_queue::pop_expired(time_point now, std::vector<id_type>& out) {
    std::size_t count = 0;
    while (!heap_.empty() && heap_.front().deadline <= now) {
        out.push_back(slots_[heap_.front().slot].id);  // may throw: nothing removed yet
        erase_at(0);
        ++count;
    }
    return count;
}

inline void timer_queue::clear() noexcept {
    while (!heap_.empty()) erase_at(heap_.size() - 1);
}

}  // namespace netlite

#endif  // NETLITE_TIMER_HPP
