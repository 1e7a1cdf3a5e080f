// SPDX-License-Identifier: MIT
#ifndef NETLITE_EXAMPLES_LINE_PROTOCOL_HPP
#define NETLITE_EXAMPLES_LINE_PROTOCOL_HPP

/// \file
/// The tutorial's line protocol as one pure function, shared by `line_server` and its tests and
/// fuzz harness: a request line (terminator already removed) in, the answer line (without its
/// LF) out. No sockets, no OS headers.
///
///   CALC:<a><op><b>  ->  CALC:<result>     64-bit signed integers, op one of + - * / %
///   PING:<text>      ->  PONG:<text>       text may be empty and may hold any bytes
///   anything else    ->  ERR:<reason>
///
/// Operands: an optional '-' then one or more decimal digits, nothing else: no '+', no spaces
/// (`CALC: 3+4` is `ERR:bad number`), leading zeros allowed and decimal (`007` is 7).
/// `/` and `%` truncate toward zero as in C++. Commands are case-sensitive (`calc:1+1` is
/// `ERR:unknown command`). Reasons: `unknown command`, `bad number` (empty, malformed or
/// trailing junk), `bad operator` (missing or not one of + - * / %), `overflow` (an operand
/// or the result outside int64, including INT64_MIN / -1 and INT64_MIN % -1), `division by
/// zero`; `line_server` adds `line too long`.

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

namespace line_protocol {

/// The answer to a line over the server's limit.
inline constexpr std::string_view line_too_long = "ERR:line too long";

/// The answer line for `request` (without LF). Never throws anything but `std::bad_alloc`.
std::string answer(std::string_view request);

// ---- implementation ----

namespace detail {

enum class status { ok, bad_number, bad_operator, overflow, division_by_zero };

/// Reads `-?[0-9]+` from the front of `text` into `value`; `text` keeps what follows.
inline status parse_operand(std::string_view& text, std::int64_t& value) noexcept {
    std::size_t end = text.size() > 0 && text[0] == '-' ? 1 : 0;
    const std::size_t digits = end;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == digits) return status::bad_number;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
    if (ec == std::errc::result_out_of_range) return status::overflow;
    if (ec != std::errc() || ptr != text.data() + end) return status::bad_number;
    text.remove_prefix(end);
    return status::ok;
}

/// `a op b` into `result`, every overflow detected before it happens.
inline status apply(std::int64_t a, char op, std::int64_t b, std::int64_t& result) noexcept {
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
    switch (op) {
        case '+':
            if ((b > 0 && a > max - b) || (b < 0 && a < min - b)) return status::overflow;
            result = a + b;
            return status::ok;
        case '-':
            if ((b < 0 && a > max + b) || (b > 0 && a < min + b)) return status::overflow;
            result = a - b;
            return status::ok;
        case '*':
            if (a != 0 && b != 0) {
                const bool over = a > 0 ? (b > 0 ? a > max / b : b < min / a)
                                        : (b > 0 ? a < min / b : a < max / b);
                if (over) return status::overflow;
            }
            result = a * b;
            return status::ok;
        case '/':
        case '%':
            if (b == 0) return status::division_by_zero;
            if (a == min && b == -1) return status::overflow;
            result = op == '/' ? a / b : a % b;
            return status::ok;
        default: return status::bad_operator;
    }
}

inline status calculate(std::string_view expr, std::int64_t& result) noexcept {
    std::int64_t a = 0;
    std::int64_t b = 0;
    if (const status s = parse_operand(expr, a); s != status::ok) return s;
    if (expr.empty()) return status::bad_operator;
    const char op = expr[0];
    if (op != '+' && op != '-' && op != '*' && op != '/' && op != '%') return status::bad_operator;
    expr.remove_prefix(1);
    if (const status s = parse_operand(expr, b); s != status::ok) return s;
    if (!expr.empty()) return status::bad_number;  // trailing junk after the second operand
    return apply(a, op, b, result);
}

}  // namespace detail

inline std::string answer(std::string_view request) {
    constexpr std::string_view calc = "CALC:";
    constexpr std::string_view ping = "PING:";
    if (request.substr(0, ping.size()) == ping) {
        std::string reply = "PONG:";
        reply.append(request.substr(ping.size()));
        return reply;
    }
    if (request.substr(0, calc.size()) != calc) return "ERR:unknown command";
    std::int64_t result = 0;
    switch (detail::calculate(request.substr(calc.size()), result)) {
        case detail::status::ok: break;
        case detail::status::bad_number: return "ERR:bad number";
        case detail::status::bad_operator: return "ERR:bad operator";
        case detail::status::overflow: return "ERR:overflow";
        case detail::status::division_by_zero: return "ERR:division by zero";
    }
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, result);
    (void)ec;  // 24 bytes always hold an int64
    return "CALC:" + std::string(digits, end);
}

}  // namespace line_protocol

#endif  // NETLITE_EXAMPLES_LINE_PROTOCOL_HPP
