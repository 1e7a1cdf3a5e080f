// SPDX-License-Identifier: MIT
#ifndef NETLITE_HTTP_HPP
#define NETLITE_HTTP_HPP

/// \file
/// A minimal HTTP/1.x client toolkit for plain-text HTTP: `http::url` (absolute http/https URLs
/// and redirect targets) and `http::response_parser`, an incremental parser of one response that
/// is safe on hostile input: every line, the whole head and the field count are bounded, numbers
/// are parsed without overflow, and bodies are handed out as they arrive, never buffered. No OS
/// headers, no sockets; optional (not included by `socket.hpp`).

#include <netlite/address.hpp>
#include <netlite/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace netlite::http {

/// Why a response was rejected. Values start at 1 (a default `std::error_code` is no error).
enum class parse_error {
    bad_status_line = 1,          ///< not `HTTP/1.x NNN reason`, or a status outside 100-599
    unsupported_version,          ///< an HTTP version other than 1.x
    bad_field,                    ///< a malformed header field (or trailer) line, obs-fold too
    line_too_long,                ///< a line over `parse_limits::max_line`
    head_too_large,               ///< the head (or the trailers) over `parse_limits::max_head`
    too_many_fields,              ///< more fields than `parse_limits::max_fields`
    bad_content_length,           ///< not a decimal number, too large, or two different values
    conflicting_framing,          ///< both Transfer-Encoding and Content-Length
    unsupported_transfer_coding,  ///< a Transfer-Encoding other than `chunked`
    bad_chunk_size,               ///< a chunk-size line that is not hex (or overflows 63 bits)
    bad_chunk_end,                ///< chunk data not followed by CRLF
    truncated,                    ///< the connection closed before the response ended
};

/// The category of `parse_error`; its name is "netlite.http".
const std::error_category& parse_error_category() noexcept;

/// Makes `parse_error` values usable as `std::error_code` (found by ADL).
inline std::error_code make_error_code(parse_error e) noexcept {
    return {static_cast<int>(e), parse_error_category()};
}

}  // namespace netlite::http

namespace std {
template <>
struct is_error_code_enum<netlite::http::parse_error> : true_type {};
}  // namespace std

namespace netlite::http {

/// What the parser accepts at most. Exceeding a limit is an error, never a reallocation spree.
struct parse_limits {
    std::size_t max_line = 8 * 1024;   ///< status, field, chunk-size and trailer lines, CRLF incl.
    std::size_t max_head = 64 * 1024;  ///< all heads (interim 1xx included), and the trailers
    std::size_t max_fields = 100;      ///< fields of one head, and trailer fields
};

/// One header field as received; `value` has no leading or trailing whitespace.
struct field {
    std::string name;
    std::string value;
};

/// The status line and header fields of a response.
struct response_head {
    int version_minor = 0;  ///< HTTP/1.<version_minor>
    int status = 0;         ///< 100-599
    std::string reason;
    std::vector<field> fields;

    /// The value of the first field called `name` (ASCII case-insensitive), or nullptr.
    const std::string* find(std::string_view name) const noexcept;
};

/// How the body of a response is delimited (RFC 9112 section 6.3).
enum class body_framing {
    none,            ///< 204, 304, a response to HEAD
    content_length,  ///< exactly Content-Length bytes
    chunked,         ///< Transfer-Encoding: chunked
    until_close,     ///< everything until the server closes the connection
};

/// Parses one HTTP/1.x response fed to it in pieces of any size. Interim 1xx responses are
/// skipped. Body bytes (de-chunked) are appended to the caller's string as they arrive, so memory
/// stays bounded by the limits plus what the caller keeps. After an error every call reports
/// the same error again.
class response_parser {
  public:
    explicit response_parser(parse_limits limits = {}) noexcept : limits_(limits) {}

    /// The request was HEAD: the response has no body, whatever its fields say.
    void expect_no_body() noexcept { head_request_ = true; }

    /// Consumes bytes of `data`, appending body bytes to `body`. Returns how many were used: all
    /// of `data`, unless the response ended inside it (the rest is not part of this response).
    /// Errors are `parse_error` values; the throwing form throws `std::system_error`.
    std::size_t feed(std::string_view data, std::string& body, std::error_code& ec);
    std::size_t feed(std::string_view data, std::string& body);
    /// The connection was closed: this ends a close-delimited body; before the end of any other
    /// response it is `parse_error::truncated`.
    void finish(std::error_code& ec) noexcept;
    void finish();

    /// The final (non-1xx) status line and fields have been parsed: `head()` is complete.
    bool head_complete() const noexcept { return state_ > state::fields; }
    /// The whole response has been parsed.
    bool complete() const noexcept { return state_ == state::done; }
    const response_head& head() const noexcept { return head_; }
    /// Valid once `head_complete()`.
    body_framing framing() const noexcept { return framing_; }
    /// Body bytes still expected: of the Content-Length, or of the current chunk.
    std::uint64_t remaining() const noexcept { return remaining_; }

  private:
    enum class state {
        status_line,
        fields,
        body_length,
        chunk_size,
        chunk_data,
        chunk_end,
        trailers,
        until_close,
        done,
    };

    bool take_line(std::string_view data, std::size_t& pos, std::error_code& ec);
    void on_status_line(std::error_code& ec);
    void on_field_line(std::error_code& ec);
    void on_head_end(std::error_code& ec);
    void on_chunk_size(std::error_code& ec);
    void on_trailer_line(std::error_code& ec);

    parse_limits limits_;
    state state_ = state::status_line;
    response_head head_;
    body_framing framing_ = body_framing::none;
    std::uint64_t remaining_ = 0;
    std::string line_;            // the line being collected; CR LF is removed once complete
    std::size_t head_bytes_ = 0;  // bytes of all heads so far (then: of the trailers)
    std::size_t trailer_count_ = 0;
    bool head_request_ = false;
    std::error_code error_;  // sticky
};

/// An absolute http:// or https:// URL, split the way a request needs it.
struct url {
    std::string scheme;      ///< "http" or "https", lowercase
    std::string host;        ///< a name or an address; IPv6 without its brackets
    std::uint16_t port = 0;  ///< as written, else 80 (http) or 443 (https)
    std::string target;      ///< path and query: never empty, starts with '/', no fragment

    /// Parses an absolute http or https URL (scheme case-insensitive); the fragment is dropped.
    /// nullopt for anything else, including user info, an empty or malformed host, a port
    /// outside 1-65535, or a space or control character anywhere (nothing can be injected
    /// into a request line or a Host field).
    static std::optional<url> parse(std::string_view text);
    /// Resolves a redirect target (`Location`) against this URL as RFC 3986 section 5.2 does:
    /// absolute URL, "//host/path", "/path", "?query", or a relative path (dot segments are
    /// removed). nullopt when the result is not a valid http or https URL.
    std::optional<url> resolve(std::string_view reference) const;

    /// The Host field: the host (IPv6 in brackets), with ":port" unless the scheme's default.
    std::string authority() const;
    /// "scheme://authority/target".
    std::string to_string() const;
};

// ---- implementation ----

namespace detail {

class parse_error_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "netlite.http"; }
    std::string message(int value) const override {
        switch (static_cast<parse_error>(value)) {
            case parse_error::bad_status_line: return "malformed HTTP status line";
            case parse_error::unsupported_version: return "unsupported HTTP version";
            case parse_error::bad_field: return "malformed HTTP header field";
            case parse_error::line_too_long: return "HTTP line too long";
            case parse_error::head_too_large: return "HTTP header section too large";
            case parse_error::too_many_fields: return "too many HTTP header fields";
            case parse_error::bad_content_length: return "invalid Content-Length";
            case parse_error::conflicting_framing:
                return "both Transfer-Encoding and Content-Length";
            case parse_error::unsupported_transfer_coding: return "unsupported Transfer-Encoding";
            case parse_error::bad_chunk_size: return "invalid chunk size";
            case parse_error::bad_chunk_end: return "chunk data not followed by CRLF";
            case parse_error::truncated: return "connection closed before the response ended";
        }
        return "unknown HTTP parse error";
    }
};

constexpr char to_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// RFC 9110 tchar: the characters of a field name (and of a token).
constexpr bool is_token_char(char c) noexcept {
    return is_alpha(c) || is_digit(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/// Field content: visible ASCII, obs-text (0x80-0xFF), space and tab; no other control bytes.
constexpr bool is_field_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7F);
}

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// 0-15 for a hex digit, -1 otherwise.
constexpr int hex_value(char c) noexcept {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// 1*DIGIT up to 2^63-1 (no sign, no spaces); nullopt on anything else or on overflow.
constexpr std::optional<std::uint64_t> parse_decimal(std::string_view s) noexcept {
    constexpr std::uint64_t limit = (std::uint64_t(1) << 63) - 1;
    if (s.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : s) {
        if (!is_digit(c)) return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (limit - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

/// "name: value" into `out`; false when the line is not a valid field line.
inline bool parse_field_line(std::string_view line, field& out) {
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    for (std::size_t i = 0; i < colon; ++i)
        if (!is_token_char(line[i])) return false;  // also rejects space before the colon
    const std::string_view value = trim(line.substr(colon + 1));
    for (const char c : value)
        if (!is_field_char(c)) return false;
    out.name.assign(line.data(), colon);
    out.value.assign(value.data(), value.size());
    return true;
}

/// RFC 3986 section 5.2.4 for a path that starts with '/'.
inline std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> kept;
    bool trailing_slash = false;
    std::size_t pos = 1;
    for (;;) {
        const std::size_t end = path.find('/', pos);
        const std::string_view segment = path.substr(pos, end - pos);
        const bool last = end == std::string_view::npos;
        if (segment == "." || segment == "..") {
            if (segment == ".." && !kept.empty()) kept.pop_back();
            trailing_slash = last;
        } else {
            kept.push_back(segment);
        }
        if (last) break;
        pos = end + 1;
    }
    std::string out;
    for (const std::string_view segment : kept) out.append("/").append(segment);
    if (out.empty() || trailing_slash) out += '/';
    return out;
}

/// Path and query characters: printable ASCII and bytes >= 0x80, no space, no '#'.
inline bool valid_target(std::string_view target) noexcept {
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F || c == '#') return false;
    }
    return true;
}

/// A reg-name of letters, digits and "-._~%" (enough for DNS names and percent-encoding).
inline bool valid_reg_name(std::string_view host) noexcept {
    if (host.empty()) return false;
    for (const char c : host)
        if (!is_alpha(c) && !is_digit(c) &&
            std::string_view("-._~%").find(c) == std::string_view::npos)
            return false;
    return true;
}

}  // namespace detail

inline const std::error_category& parse_error_category() noexcept {
    static const detail::parse_error_category_impl category;
    return category;
}

inline const std::string* response_head::find(std::string_view name) const noexcept {
    for (const field& f : fields)
        if (detail::iequals(f.name, name)) return &f.value;
    return nullptr;
}

// Collects bytes of `data` from `pos` into line_ up to and including an LF. False while the
// line is incomplete (all of data was taken) or on an error. Every byte is counted as it is
// taken, complete line or not: against max_line, and in a head (or trailers) against max_head.
inline bool response_parser::take_line(std::string_view data, std::size_t& pos,
                                       std::error_code& ec) {
    const std::size_t lf = data.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? data.size() : lf + 1;
    const std::size_t add = end - pos;
    if (line_.size() + add > limits_.max_line) {
        ec = parse_error::line_too_long;
        return false;
    }
    if (state_ != state::chunk_size && state_ != state::chunk_end) {
        if (add > limits_.max_head - head_bytes_) {  // head_bytes_ <= max_head: no wrap
            ec = parse_error::head_too_large;
            return false;
        }
        head_bytes_ += add;
    }
    line_.append(data.data() + pos, add);
    pos = end;
    if (lf == std::string_view::npos) return false;
    line_.pop_back();  // LF
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return true;
}

inline std::size_t response_parser::feed(std::string_view data, std::string& body,
                                         std::error_code& ec) {
    ec = error_;
    if (ec) return 0;
    std::size_t pos = 0;
    while (pos < data.size() && !ec && state_ != state::done) {
        switch (state_) {
            case state::status_line:
            case state::fields:
            case state::trailers:
            case state::chunk_size:
            case state::chunk_end: {
                if (!take_line(data, pos, ec)) break;
                if (state_ == state::status_line)
                    on_status_line(ec);
                else if (state_ == state::fields)
                    on_field_line(ec);
                else if (state_ == state::trailers)
                    on_trailer_line(ec);
                else if (state_ == state::chunk_size)
                    on_chunk_size(ec);
                else if (!line_.empty())
                    ec = parse_error::bad_chunk_end;
                else
                    state_ = state::chunk_size;
                line_.clear();
                break;
            }
            case state::body_length:
            case state::chunk_data: {
                const std::uint64_t left = data.size() - pos;
                const std::size_t n =
                    static_cast<std::size_t>(remaining_ < left ? remaining_ : left);
                body.append(data.data() + pos, n);
                pos += n;
                remaining_ -= n;
                if (remaining_ == 0)
                    state_ = state_ == state::body_length ? state::done : state::chunk_end;
                break;
            }
            case state::until_close:
                body.append(data.data() + pos, data.size() - pos);
                pos = data.size();
                break;
            case state::done: break;
        }
    }
    error_ = ec;
    return pos;
}

inline std::size_t response_parser::feed(std::string_view data, std::string& body) {
    return netlite::detail::or_throw("http response",
                                     [&](std::error_code& ec) { return feed(data, body, ec); });
}

inline void response_parser::finish(std::error_code& ec) noexcept {
    ec = error_;
    if (ec) return;
    if (state_ == state::until_close) state_ = state::done;
    if (state_ != state::done) ec = error_ = parse_error::truncated;
}

inline void response_parser::finish() {
    netlite::detail::or_throw("http response", [&](std::error_code& ec) { finish(ec); });
}

inline void response_parser::on_status_line(std::error_code& ec) {
    const std::string_view line = line_;
    // "HTTP/1.1 200 OK": version, space, three digits, then nothing or a space and a reason.
    if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !detail::is_digit(line[5]) ||
        line[6] != '.' || !detail::is_digit(line[7]) || line[8] != ' ')
        return void(ec = parse_error::bad_status_line);
    if (line[5] != '1') return void(ec = parse_error::unsupported_version);
    const std::optional<std::uint64_t> status = detail::parse_decimal(line.substr(9, 3));
    if (!status || *status < 100 || *status > 599 || (line.size() > 12 && line[12] != ' '))
        return void(ec = parse_error::bad_status_line);
    const std::string_view reason = line.size() > 12 ? line.substr(13) : std::string_view();
    for (const char c : reason)
        if (!detail::is_field_char(c)) return void(ec = parse_error::bad_status_line);
    head_ = response_head{};
    head_.version_minor = line[7] - '0';
    head_.status = static_cast<int>(*status);
    head_.reason.assign(reason.data(), reason.size());
    state_ = state::fields;
}

inline void response_parser::on_field_line(std::error_code& ec) {
    if (line_.empty()) return on_head_end(ec);
    if (head_.fields.size() >= limits_.max_fields) return void(ec = parse_error::too_many_fields);
    field f;
    if (!detail::parse_field_line(line_, f)) return void(ec = parse_error::bad_field);
    head_.fields.push_back(std::move(f));
}

inline void response_parser::on_head_end(std::error_code& ec) {
    if (head_.status < 200) {  // interim (100 Continue, 103 Early Hints): the real one follows
        state_ = state::status_line;
        return;
    }
    std::optional<std::uint64_t> length;
    bool chunked = false;
    for (const field& f : head_.fields) {
        if (detail::iequals(f.name, "content-length")) {
            const auto value = detail::parse_decimal(f.value);
            if (!value || (length && *length != *value))
                return void(ec = parse_error::bad_content_length);
            length = value;
        } else if (detail::iequals(f.name, "transfer-encoding")) {
            // Only "chunked", once: anything else would need decoding this parser cannot do.
            if (chunked || !detail::iequals(f.value, "chunked"))
                return void(ec = parse_error::unsupported_transfer_coding);
            chunked = true;
        }
    }
    if (head_request_ || head_.status == 204 || head_.status == 304) {
        framing_ = body_framing::none;
        state_ = state::done;
    } else if (chunked && length) {
        ec = parse_error::conflicting_framing;
    } else if (chunked) {
        framing_ = body_framing::chunked;
        state_ = state::chunk_size;
    } else if (length) {
        framing_ = body_framing::content_length;
        remaining_ = *length;
        state_ = *length == 0 ? state::done : state::body_length;
    } else {
        framing_ = body_framing::until_close;
        state_ = state::until_close;
    }
}

inline void response_parser::on_chunk_size(std::error_code& ec) {
    // chunk-size [ BWS ";" chunk-ext ]: the extensions are ignored.
    const std::string_view line = line_;
    std::size_t i = 0;
    std::uint64_t size = 0;
    for (; i < line.size() && detail::hex_value(line[i]) >= 0; ++i) {
        if (size > ((std::uint64_t(1) << 63) - 1) >> 4)
            return void(ec = parse_error::bad_chunk_size);
        size = size * 16 + static_cast<std::uint64_t>(detail::hex_value(line[i]));
    }
    const std::string_view rest = detail::trim(line.substr(i));
    if (i == 0 || (!rest.empty() && rest.front() != ';'))
        return void(ec = parse_error::bad_chunk_size);
    if (size == 0) {
        head_bytes_ = 0;  // the trailers get a budget of their own
        state_ = state::trailers;
    } else {
        remaining_ = size;
        state_ = state::chunk_data;
    }
}

inline void response_parser::on_trailer_line(std::error_code& ec) {
    if (line_.empty()) return void(state_ = state::done);
    if (++trailer_count_ > limits_.max_fields) return void(ec = parse_error::too_many_fields);
    field ignored;  // trailers are checked, then dropped
    if (!detail::parse_field_line(line_, ignored)) ec = parse_error::bad_field;
}

inline std::optional<url> url::parse(std::string_view text) {
    const std::size_t colon = text.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    url u;
    const std::string_view scheme = text.substr(0, colon);
    if (detail::iequals(scheme, "http"))
        u.scheme = "http";
    else if (detail::iequals(scheme, "https"))
        u.scheme = "https";
    else
        return std::nullopt;
    text.remove_prefix(colon + 3);
    text = text.substr(0, text.find('#'));
    const std::size_t slash = text.find_first_of("/?");
    std::string_view authority = text.substr(0, slash);
    const std::string_view target = slash == std::string_view::npos ? "" : text.substr(slash);
    if (!detail::valid_target(target)) return std::nullopt;
    u.target =
        target.empty() || target.front() == '?' ? "/" + std::string(target) : std::string(target);
    // host, [v6], host:port or [v6]:port; an empty port after ':' is rejected.
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        if (host.find('%') != std::string_view::npos || !address_v6::parse(host))
            return std::nullopt;  // zones (RFC 6874) are not supported
        authority.remove_prefix(close + 1);
        if (!authority.empty() && (authority.front() != ':' || authority.size() == 1))
            return std::nullopt;
        port = authority.substr(authority.empty() ? 0 : 1);
    } else {
        const std::size_t c = authority.find(':');
        host = authority.substr(0, c);
        if (!detail::valid_reg_name(host)) return std::nullopt;  // also rejects '@' (user info)
        if (c != std::string_view::npos && (port = authority.substr(c + 1)).empty())
            return std::nullopt;
    }
    u.host.assign(host.data(), host.size());
    if (port.empty()) {
        u.port = u.scheme == "http" ? 80 : 443;
    } else {
        const std::optional<std::uint64_t> p =
            port.size() <= 5 ? detail::parse_decimal(port) : std::nullopt;
        if (!p || *p == 0 || *p > 65535) return std::nullopt;
        u.port = static_cast<std::uint16_t>(*p);
    }
    return u;
}

inline std::optional<url> url::resolve(std::string_view ref) const {
    ref = ref.substr(0, ref.find('#'));
    // A scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
    std::size_t i = 0;
    while (i < ref.size() &&
           (detail::is_alpha(ref[i]) || (i > 0 && (detail::is_digit(ref[i]) || ref[i] == '+' ||
                                                   ref[i] == '-' || ref[i] == '.'))))
        ++i;
    if (i > 0 && i < ref.size() && ref[i] == ':') return parse(ref);
    if (ref.substr(0, 2) == "//") return parse(scheme + ":" + std::string(ref));
    if (!detail::valid_target(ref)) return std::nullopt;
    url out = *this;
    const std::size_t base_query = target.find('?');
    const std::string_view base_path = std::string_view(target).substr(0, base_query);
    if (ref.empty()) return out;
    if (ref.front() == '?') {
        out.target = std::string(base_path) + std::string(ref);
        return out;
    }
    const std::size_t query = ref.find('?');
    const std::string_view ref_path = ref.substr(0, query);
    const std::string_view ref_query = query == std::string_view::npos ? "" : ref.substr(query);
    std::string merged(ref_path);
    if (ref.front() != '/')
        merged = std::string(base_path.substr(0, base_path.rfind('/') + 1)) + merged;
    out.target = detail::remove_dot_segments(merged) + std::string(ref_query);
    return out;
}

inline std::string url::authority() const {
    std::string text = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (scheme == "http" ? 80 : 443)) text += ":" + std::to_string(port);
    return text;
}

inline std::string url::to_string() const { return scheme + "://" + authority() + target; }

}  // namespace netlite::http

#endif  // NETLITE_HTTP_HPP
