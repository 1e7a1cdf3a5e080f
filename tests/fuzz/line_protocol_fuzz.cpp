// SPDX-License-Identifier: MIT
//
// Fuzzes line_protocol::answer (examples/line_protocol.hpp), the pure function behind
// line_server. The whole input is one request line. Checked: no crash; the answer starts with
// CALC:, PONG: or ERR: and holds no CR or LF unless it echoes a PING; and it equals the answer
// of a reference written from the header's contract, whose arithmetic is done in __int128 so
// that every int64 overflow is seen rather than avoided.

#include "line_protocol.hpp"

#include "fuzz_common.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

__extension__ typedef __int128 int128;  // __extension__: no -Wpedantic warning

constexpr int128 int64_max = INT64_MAX;
constexpr int128 int64_min = INT64_MIN;

enum class ref_status { ok, bad_number, overflow };

/// `-?[0-9]+` from the front of `text` (leading zeros allowed); `text` keeps the rest.
ref_status ref_operand(std::string_view& text, int128& value) {
    std::size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    if (negative) ++i;
    const std::size_t first_digit = i;
    int128 magnitude = 0;
    bool huge = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (!huge) magnitude = magnitude * 10 + (text[i] - '0');
        if (magnitude > int64_max + 1) huge = true;  // stop before int128 could overflow
    }
    if (i == first_digit) return ref_status::bad_number;
    text.remove_prefix(i);
    value = negative ? -magnitude : magnitude;
    if (huge || value > int64_max || value < int64_min) return ref_status::overflow;
    return ref_status::ok;
}

std::string to_decimal(int128 v) {
    if (v == 0) return "0";
    const bool negative = v < 0;
    std::string digits;
    for (; v != 0; v /= 10) {
        const int d = static_cast<int>(v % 10);
        digits.insert(digits.begin(), static_cast<char>('0' + (d < 0 ? -d : d)));
    }
    return negative ? "-" + digits : digits;
}

std::string ref_answer(std::string_view request) {
    if (request.substr(0, 5) == "PING:") return "PONG:" + std::string(request.substr(5));
    if (request.substr(0, 5) != "CALC:") return "ERR:unknown command";
    std::string_view expr = request.substr(5);
    int128 a = 0, b = 0;
    switch (ref_operand(expr, a)) {
        case ref_status::ok: break;
        case ref_status::bad_number: return "ERR:bad number";
        case ref_status::overflow: return "ERR:overflow";
    }
    if (expr.empty() || std::string_view("+-*/%").find(expr[0]) == std::string_view::npos)
        return "ERR:bad operator";
    const char op = expr[0];
    expr.remove_prefix(1);
    switch (ref_operand(expr, b)) {
        case ref_status::ok: break;
        case ref_status::bad_number: return "ERR:bad number";
        case ref_status::overflow: return "ERR:overflow";
    }
    if (!expr.empty()) return "ERR:bad number";
    int128 result = 0;
    switch (op) {
        case '+': result = a + b; break;
        case '-': result = a - b; break;
        case '*': result = a * b; break;  // |a*b| <= 2^126: no int128 overflow
        default:
            if (b == 0) return "ERR:division by zero";
            // INT64_MIN % -1 is 0 in int128, but the contract calls it an overflow (in int64
            // the division traps).
            if (op == '%' && a == int64_min && b == -1) return "ERR:overflow";
            result = op == '/' ? a / b : a % b;
            break;
    }
    if (result > int64_max || result < int64_min) return "ERR:overflow";
    return "CALC:" + to_decimal(result);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    netlite_fuzz::input in(data, size);
    const std::string_view request = in.rest();
    netlite_fuzz::note("request", request);
    const std::string answer = line_protocol::answer(request);
    netlite_fuzz::note("answer", answer);
    const std::string_view head = std::string_view(answer).substr(0, 5);
    NETLITE_FUZZ_CHECK(head == "CALC:" || head == "PONG:" || head.substr(0, 4) == "ERR:");
    if (head != "PONG:") NETLITE_FUZZ_CHECK(answer.find_first_of("\r\n") == std::string::npos);
    const std::string expected = ref_answer(request);
    netlite_fuzz::note("expected", expected);
    NETLITE_FUZZ_CHECK(answer == expected);
    return 0;
}
