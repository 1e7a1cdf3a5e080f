// SPDX-License-Identifier: MIT
// timer_queue: ordering, cancel, reschedule and stale handles on explicit time points (no
// waiting), a randomized comparison against a sorted list, and one case that drives a selector
// with next_timeout() the way an idle-timeout server does.
#include <netlite/timer.hpp>

#include <netlite/selector.hpp>
#include <netlite/testing.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

using netlite::timer_queue;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

static_assert(std::is_nothrow_move_constructible_v<timer_queue>);
static_assert(std::is_nothrow_default_constructible_v<timer_queue::handle>);
static_assert(std::is_trivially_copyable_v<timer_queue::handle>);
static_assert(noexcept(std::declval<timer_queue&>().cancel(timer_queue::handle{})));
static_assert(noexcept(std::declval<timer_queue&>().pop_expired()));

const timer_queue::time_point t0 = timer_queue::clock::now();

std::vector<timer_queue::id_type> drain(timer_queue& q, timer_queue::time_point now) {
    std::vector<timer_queue::id_type> out;
    while (const auto id = q.pop_expired(now)) out.push_back(*id);
    return out;
}

}  // namespace

TEST_SUITE_BEGIN("timer");

TEST_CASE("timer_queue: an empty queue has no deadline and waits for ever") {
    timer_queue q;
    CHECK(q.empty());
    CHECK(q.size() == 0);
    CHECK_FALSE(q.next_deadline());
    CHECK_FALSE(q.next_timeout(t0));
    CHECK_FALSE(q.pop_expired(t0 + 1000h));
    CHECK_FALSE(q.cancel(timer_queue::handle{}));
    CHECK_FALSE(q.reschedule(timer_queue::handle{}, t0));
}

TEST_CASE("timer_queue: timers expire in deadline order and only once due") {
    timer_queue q;
    q.schedule(t0 + 30ms, 3);
    q.schedule(t0 + 10ms, 1);
    q.schedule(t0 + 20ms, 2);
    CHECK(q.size() == 3);
    CHECK(q.next_deadline() == t0 + 10ms);
    CHECK(drain(q, t0 + 9ms).empty());
    CHECK(drain(q, t0 + 10ms) == std::vector<timer_queue::id_type>{1});  // at the deadline
    CHECK(drain(q, t0 + 60ms) == std::vector<timer_queue::id_type>{2, 3});
    CHECK(q.empty());
}

TEST_CASE("timer_queue: equal deadlines expire in the order they were scheduled") {
    timer_queue q;
    for (timer_queue::id_type id = 0; id < 20; ++id) q.schedule(t0 + 5ms, id);
    std::vector<timer_queue::id_type> expected(20);
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = i;
    CHECK(drain(q, t0 + 5ms) == expected);
}

TEST_CASE("timer_queue: next_timeout rounds up to whole milliseconds and is zero when overdue") {
    timer_queue q;
    q.schedule(t0 + 1500us, 7);
    CHECK(q.next_timeout(t0) == 2ms);  // never wake before the deadline
    CHECK(q.next_timeout(t0 + 1ms) == 1ms);
    CHECK(q.next_timeout(t0 + 1500us) == 0ms);
    CHECK(q.next_timeout(t0 + 1h) == 0ms);
}

TEST_CASE("timer_queue: cancel removes a pending timer and is false afterwards") {
    timer_queue q;
    const auto a = q.schedule(t0 + 10ms, 1);
    const auto b = q.schedule(t0 + 20ms, 2);
    const auto c = q.schedule(t0 + 30ms, 3);
    CHECK(q.is_pending(b));
    CHECK(q.cancel(b));
    CHECK_FALSE(q.is_pending(b));
    CHECK_FALSE(q.cancel(b));
    CHECK(q.size() == 2);
    CHECK(q.cancel(a));  // the earliest: the next deadline moves on
    CHECK(q.next_deadline() == t0 + 30ms);
    CHECK(drain(q, t0 + 1h) == std::vector<timer_queue::id_type>{3});
    CHECK_FALSE(q.cancel(c));  // already expired
}

TEST_CASE("timer_queue: reschedule moves a timer later or earlier") {
    timer_queue q;
    const auto a = q.schedule(t0 + 10ms, 1);
    q.schedule(t0 + 20ms, 2);
    CHECK(q.reschedule(a, t0 + 30ms));  // idle timer pushed back by activity
    CHECK(q.next_deadline() == t0 + 20ms);
    CHECK(drain(q, t0 + 25ms) == std::vector<timer_queue::id_type>{2});
    CHECK(q.reschedule(a, t0 + 1ms));  // and pulled in
    CHECK(drain(q, t0 + 1ms) == std::vector<timer_queue::id_type>{1});
    CHECK_FALSE(q.reschedule(a, t0 + 50ms));  // expired: nothing is scheduled again
    CHECK(q.empty());
}

TEST_CASE("timer_queue: a stale handle never touches a timer that reuses its storage") {
    timer_queue q;
    const auto old = q.schedule(t0 + 10ms, 1);
    CHECK(q.cancel(old));
    const auto fresh = q.schedule(t0 + 20ms, 2);  // reuses the freed slot
    CHECK(old != fresh);
    CHECK_FALSE(q.cancel(old));
    CHECK_FALSE(q.reschedule(old, t0));
    CHECK(q.is_pending(fresh));
    CHECK(drain(q, t0 + 20ms) == std::vector<timer_queue::id_type>{2});
}

TEST_CASE("timer_queue: pop_expired into a vector appends every due id in order") {
    timer_queue q;
    q.schedule(t0 + 3ms, 30);
    q.schedule(t0 + 1ms, 10);
    q.schedule(t0 + 9ms, 90);
    std::vector<timer_queue::id_type> out{99};
    CHECK(q.pop_expired(t0 + 5ms, out) == 2);
    CHECK(out == std::vector<timer_queue::id_type>{99, 10, 30});
    CHECK(q.size() == 1);
    q.clear();
    CHECK(q.empty());
    CHECK(q.pop_expired(t0 + 1h, out) == 0);
}

TEST_CASE("timer_queue: delays are measured from now and saturate instead of overflowing") {
    timer_queue q;
    const auto before = timer_queue::clock::now();
    const auto h = q.schedule(50ms, 1);
    const auto after = timer_queue::clock::now();
    REQUIRE(q.next_deadline());
    CHECK(*q.next_deadline() >= before + 50ms);
    CHECK(*q.next_deadline() <= after + 50ms);
    CHECK(q.reschedule(h, timer_queue::duration::max()));
    CHECK(q.next_deadline() == timer_queue::time_point::max());
    CHECK(q.reschedule(h, -5s));  // negative: due now
    CHECK(q.pop_expired() == timer_queue::id_type{1});
}

TEST_CASE("timer_queue: random schedules, cancels and reschedules match a sorted reference") {
    std::mt19937 rng(12345);
    timer_queue q;
    // Reference: id -> (deadline, order of last (re)schedule); handles by id.
    std::map<timer_queue::id_type, std::pair<timer_queue::time_point, std::uint64_t>> model;
    std::map<timer_queue::id_type, timer_queue::handle> handles;
    std::uint64_t order = 0;
    timer_queue::id_type next_id = 0;
    auto now = t0;
    for (int step = 0; step < 5000; ++step) {
        const int op = static_cast<int>(rng() % 10);
        const auto when = now + milliseconds(rng() % 100);
        if (op < 4 || model.empty()) {
            handles[next_id] = q.schedule(when, next_id);
            model[next_id] = {when, order++};
            ++next_id;
        } else if (op < 6) {
            auto it = std::next(model.begin(), static_cast<long>(rng() % model.size()));
            CHECK(q.cancel(handles[it->first]));
            model.erase(it);
        } else if (op < 8) {
            auto it = std::next(model.begin(), static_cast<long>(rng() % model.size()));
            CHECK(q.reschedule(handles[it->first], when));
            it->second = {when, order++};
        } else {
            now += milliseconds(rng() % 20);
            std::vector<
                std::pair<std::pair<timer_queue::time_point, std::uint64_t>, timer_queue::id_type>>
                due;
            for (const auto& [id, key] : model)
                if (key.first <= now) due.push_back({key, id});
            std::sort(due.begin(), due.end());
            std::vector<timer_queue::id_type> expected;
            for (const auto& d : due) {
                expected.push_back(d.second);
                model.erase(d.second);
            }
            CHECK(drain(q, now) == expected);
        }
        REQUIRE(q.size() == model.size());
    }
}

TEST_CASE("timer_queue: select(next_timeout()) wakes a selector loop for an idle deadline") {
    auto pair = netlite::testing::make_tcp_pair();
    netlite::selector sel;
    sel.add(pair.server, netlite::events::read, nullptr);
    timer_queue timers;
    const auto start = timer_queue::clock::now();
    auto idle = timers.schedule(60ms, 42);
    pair.client.send_all("x");  // activity: handled, and the idle deadline pushed back

    std::optional<timer_queue::id_type> expired;
    int activity = 0;
    for (int round = 0; round < 100 && !expired; ++round) {
        for (const auto& e : sel.select(timers.next_timeout())) {
            char buf[16];
            pair.server.receive(buf);
            ++activity;
            CHECK(timers.reschedule(idle, 60ms));
            (void)e;
        }
        expired = timers.pop_expired();
    }
    const auto elapsed = timer_queue::clock::now() - start;
    REQUIRE(expired);
    CHECK(*expired == 42);
    CHECK(activity == 1);
    CHECK(elapsed >= 60ms);  // not before the (pushed back) deadline
    CHECK(timers.empty());
}

TEST_SUITE_END();
