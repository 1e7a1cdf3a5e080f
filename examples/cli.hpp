// SPDX-License-Identifier: MIT
#ifndef NETLITE_EXAMPLES_CLI_HPP
#define NETLITE_EXAMPLES_CLI_HPP

/// \file
/// What every example does the same way, in one place: exit statuses (0 done, 1 runtime failure
/// as `<program>: <what failed>: <reason>`, 2 bad usage with the usage on stderr; `--help` or
/// `-h` print it on stdout), range-checked numbers and ports, a small argv walker, and SIGINT /
/// SIGTERM as a stop request. Not part of netlite: a helper for single-file example programs.

#include <netlite/endpoint.hpp>

#include <charconv>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace cli {

/// `text` as a decimal number in [min, max] (std::from_chars: no sign for unsigned, no spaces).
template <class T>
std::optional<T> parse_number(std::string_view text, T min, T max) {
    T value{};
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc() || end != text.data() + text.size() || value < min || value > max)
        return std::nullopt;
    return value;
}

/// A program's name (the prefix of its messages), its usage line(s) and its --help details.
struct program {
    const char* name;
    const char* usage;      ///< "usage: ...\n"; also printed after each usage error
    const char* help = "";  ///< more lines that only --help prints

    [[noreturn]] void show_help() const {
        std::cout << usage << help << std::flush;
        std::exit(0);
    }
    [[noreturn]] void usage_error(std::string_view why) const {
        std::cerr << name << ": " << why << '\n' << usage;
        std::exit(2);
    }
    /// `<name>: <what>: <why>` on stderr; returns 1, the status of a runtime failure. Servers
    /// also log one client's failure with it, and go on.
    int fail(std::string_view what, std::string_view why) const {
        std::cerr << name << ": " << what << ": " << why << '\n';
        return 1;
    }
    int fail(std::string_view what, const std::error_code& ec) const {
        return fail(what, ec.message());
    }
    /// `text` as an IPv4 or IPv6 address, else a usage error that names `what` ("--bind").
    netlite::address address(std::string_view what, std::string_view text) const {
        const auto a = netlite::address::parse(text);
        if (!a)
            usage_error(std::string(what) + ": not an IPv4 or IPv6 address: " + std::string(text));
        return *a;
    }
    /// `text` as a port at least `min` (netlite::parse_port: 0-65535, decimal), else usage error.
    std::uint16_t port(std::string_view text, std::uint16_t min = 0) const {
        const auto p = netlite::parse_port(text);
        if (!p || *p < min)
            usage_error("not a port number " + std::to_string(min) +
                        "-65535: " + std::string(text));
        return *p;
    }
};

/// Walks argv's options: `while (args.next()) { if (args.is("--bind")) bind = args.value();
/// ... else args.unknown(); }`, then `args.operands()`. Options and operands may mix; "--help"
/// and "-h" show the help; "--" ends the options, and so does the first operand with
/// `options_first` (then later operands, such as messages, may begin with '-').
class arguments {
  public:
    arguments(const program& p, int argc, char** argv, bool options_first = false)
        : p_(p), argv_(argv + 1, argv + argc), options_first_(options_first) {}
    /// Moves to the next option; false once none is left.
    bool next() {
        while (next_ < argv_.size()) {
            option_ = argv_[next_++];
            if (options_ended_ || option_.size() < 2 || option_[0] != '-') {
                operands_.push_back(option_);
                options_ended_ = options_ended_ || options_first_;
            } else if (option_ == "--") {
                options_ended_ = true;
            } else if (option_ == "--help" || option_ == "-h") {
                p_.show_help();
            } else {
                return true;
            }
        }
        return false;
    }
    bool is(std::string_view option) const { return option_ == option; }
    [[noreturn]] void unknown() const { p_.usage_error("unknown option " + std::string(option_)); }
    /// The value that follows the current option.
    std::string_view value() {
        if (next_ == argv_.size()) p_.usage_error(std::string(option_) + " needs a value");
        return argv_[next_++];
    }
    /// The value of the current option as a number in [min, max], else a usage error.
    template <class T>
    T number(T min, T max) {
        const std::string option(option_), text(value());
        if (const auto n = parse_number<T>(text, min, max)) return *n;
        p_.usage_error(option + " needs a number " + std::to_string(min) + "-" +
                       std::to_string(max) + ", got '" + text + "'");
    }
    /// The operands, in order (complete once `next` has returned false).
    const std::vector<std::string_view>& operands() const { return operands_; }
    /// The one and only operand, called `what` in the usage error if there are more or none.
    std::string_view operand(std::string_view what) const {
        if (operands_.size() != 1) p_.usage_error("expected one " + std::string(what));
        return operands_[0];
    }

  private:
    const program& p_;
    std::vector<std::string_view> argv_, operands_;
    std::string_view option_;
    std::size_t next_ = 0;
    bool options_first_, options_ended_ = false;
};

namespace detail {
inline volatile std::sig_atomic_t stop_flag = 0;
inline const void* to_wake = nullptr;        // a selector, woken by...
inline void (*wake)(const void*) = nullptr;  // ...this, which knows its type
extern "C" inline void on_stop_signal(int) {
    stop_flag = 1;
    if (wake) wake(to_wake);
}
}  // namespace detail

/// From now on SIGINT and SIGTERM set `stop_requested()`. Without a selector to wake, wait in
/// short slices and check it: netlite retries interrupted calls, so a signal alone ends no wait.
inline void stop_on_signals() {
#if defined(_WIN32)
    std::signal(SIGINT, detail::on_stop_signal);
    std::signal(SIGTERM, detail::on_stop_signal);
#else
    struct sigaction action {};
    action.sa_handler = detail::on_stop_signal;  // no SA_RESTART: blocked calls see EINTR
    sigemptyset(&action.sa_mask);
    for (const int sig : {SIGINT, SIGTERM}) sigaction(sig, &action, nullptr);
#endif
}
/// As above, and each signal also wakes `sel` (one write(2): safe in a signal handler), so a
/// loop blocked in `sel.select` sees the request at once. `sel` must outlive the handlers.
template <class Selector>
void stop_on_signals(const Selector& sel) {
    detail::to_wake = &sel;
    detail::wake = [](const void* s) { static_cast<const Selector*>(s)->wakeup(); };
    stop_on_signals();
}
/// Back to the default: SIGINT and SIGTERM end the program at once.
inline void default_signals() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}
inline bool stop_requested() noexcept { return detail::stop_flag != 0; }

}  // namespace cli

#endif  // NETLITE_EXAMPLES_CLI_HPP
