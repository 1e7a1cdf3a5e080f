// SPDX-License-Identifier: MIT
//
// loadgen: the load generator of netlite's benchmarks. Plain C and POSIX (no netlite), one
// thread, non-blocking sockets driven by epoll, so that the generator costs the same whichever
// echo server it measures. Traffic goes to loopback only (127.0.0.0/8 or ::1; anything else is
// refused), and every mode stops by itself after --seconds or --max-count, whichever is first.
//
// Modes:
//   pingpong  C connections, each sends SIZE bytes and waits for the echo: round trips/s, p50/p99
//   bulk      C connections stream SIZE-byte writes, WINDOW bytes in flight each: echoed MB/s
//   connect   C slots: connect, send SIZE bytes, read the echo, close: connections/s
//   udp       one socket, WINDOW datagrams of SIZE bytes in flight (sendmmsg/recvmmsg): dgrams/s
//   idle      open C connections, echo one byte on each, report the server's memory growth
// With --server-pid, the server's CPU time (sum of /proc/PID/task/*/schedstat run time) is read
// at the start and end of the measured window. Output: one line of key=value pairs.
//
// Try: loadgen pingpong --conns 1 --size 64 --seconds 2 127.0.0.1:PORT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

// ---- options ----

struct options {
    const char* mode;
    long conns;
    long size;
    long window;
    double seconds;
    double warmup;
    long long max_count;
    long server_pid;
    struct sockaddr_storage peer;
    socklen_t peer_len;
};

static int usage(int code) {
    fprintf(code == 0 ? stdout : stderr,
            "usage: loadgen MODE [options] ADDR:PORT\n"
            "  MODE: pingpong | bulk | connect | udp | idle\n"
            "  --conns N        connections (pingpong 1, bulk 1, connect 1, idle 10000)\n"
            "  --size BYTES     message size (64; bulk: write size 65536)\n"
            "  --window N       bulk: bytes in flight per connection (262144);\n"
            "                   udp: datagrams in flight (16)\n"
            "  --seconds S      measured time (3; idle: time limit 60)\n"
            "  --warmup S       unmeasured time first (0.3)\n"
            "  --max-count N    stop after N operations (100000000; bulk: bytes, 2^40)\n"
            "  --server-pid P   read the server's CPU time (and memory in idle mode)\n"
            "ADDR is loopback only: 127.x.y.z:PORT or [::1]:PORT.\n");
    return code;
}

static int parse_long(const char* text, long lo, long hi, long* out) {
    char* end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_double(const char* text, double lo, double hi, double* out) {
    char* end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0' || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

// Accepts "a.b.c.d:port" in 127/8 or "[::1]:port"; refuses every other address.
static int parse_loopback(const char* text, struct options* o) {
    const char* colon = strrchr(text, ':');
    if (!colon) return -1;
    long port = 0;
    if (parse_long(colon + 1, 1, 65535, &port) != 0) return -1;
    char host[64];
    size_t n = (size_t)(colon - text);
    if (n == 0 || n >= sizeof host) return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    memset(&o->peer, 0, sizeof o->peer);
    if (host[0] == '[') {
        if (n < 3 || host[n - 1] != ']') return -1;
        host[n - 1] = '\0';
        struct sockaddr_in6* a = (struct sockaddr_in6*)&o->peer;
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) return -1;
        if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) return -1;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        o->peer_len = sizeof *a;
        return 0;
    }
    struct sockaddr_in* a = (struct sockaddr_in*)&o->peer;
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
    if ((ntohl(a->sin_addr.s_addr) >> 24) != 127) return -1;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    o->peer_len = sizeof *a;
    return 0;
}

// ---- clocks, CPU and memory readings ----

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t own_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Run time of every thread of `pid` in ns (schedstat), or utime+stime from /proc/PID/stat when
// schedstat is missing; -1 when the process cannot be read.
static int64_t server_cpu_ns(long pid) {
    if (pid <= 0) return -1;
    char path[96];
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR* dir = opendir(path);
    int64_t total = 0;
    int found = 0;
    if (dir) {
        struct dirent* e;
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char file[160];
            snprintf(file, sizeof file, "/proc/%ld/task/%.32s/schedstat", pid, e->d_name);
            FILE* f = fopen(file, "r");
            if (!f) continue;
            long long run = 0;
            if (fscanf(f, "%lld", &run) == 1) {
                total += run;
                found = 1;
            }
            fclose(f);
        }
        closedir(dir);
    }
    if (found) return total;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE* f = fopen(path, "r");
    if (!f) return -1;
    char line[1024];
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    const char* p = strrchr(line, ')');  // the command name may contain spaces
    unsigned long long utime = 0, stime = 0;
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return (int64_t)((utime + stime) * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK)));
}

struct memory {
    long long rss_kb;
    long long private_dirty_kb;
    long long anonymous_kb;
};

// Reads /proc/PID/smaps_rollup; fields left at -1 when missing.
static void server_memory(long pid, struct memory* m) {
    m->rss_kb = m->private_dirty_kb = m->anonymous_kb = -1;
    char path[96];
    snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", pid);
    FILE* f = fopen(path, "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        long long v = 0;
        if (sscanf(line, "Rss: %lld kB", &v) == 1) m->rss_kb = v;
        if (sscanf(line, "Private_Dirty: %lld kB", &v) == 1) m->private_dirty_kb = v;
        if (sscanf(line, "Anonymous: %lld kB", &v) == 1) m->anonymous_kb = v;
    }
    fclose(f);
}

// ---- latency histogram: 100 ns buckets up to 100 ms, then one overflow bucket ----

enum { hist_buckets = 1000000, hist_ns = 100 };
static uint32_t histogram[hist_buckets + 1];

static void hist_add(int64_t ns) {
    int64_t b = ns / hist_ns;
    if (b < 0) b = 0;
    if (b > hist_buckets) b = hist_buckets;
    ++histogram[b];
}

static double hist_percentile_us(long long total, double q) {
    if (total <= 0) return 0.0;
    long long want = (long long)((double)total * q);
    if (want >= total) want = total - 1;
    long long seen = 0;
    for (int b = 0; b <= hist_buckets; ++b) {
        seen += histogram[b];
        if (seen > want) return ((double)b + 0.5) * hist_ns / 1000.0;
    }
    return (double)hist_buckets * hist_ns / 1000.0;
}

// ---- shared socket helpers ----

static void raise_fd_limit(void) {
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

static int open_stream(const struct options* o, int* connected_now) {
    int fd = socket(o->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr*)&o->peer, o->peer_len) == 0) {
        *connected_now = 1;
        return fd;
    }
    if (errno == EINPROGRESS) {
        *connected_now = 0;
        return fd;
    }
    close(fd);
    return -1;
}

// Blocking-style connect of one non-blocking socket, bounded by `deadline`.
static int connect_stream(const struct options* o, int64_t deadline) {
    int now_connected = 0;
    int fd = open_stream(o, &now_connected);
    if (fd < 0 || now_connected) return fd;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLOUT, .data = {.fd = fd}};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    int64_t left_ms = (deadline - now_ns()) / 1000000;
    int n = epoll_wait(ep, &ev, 1, left_ms > 0 ? (int)left_ms : 0);
    close(ep);
    int err = 0;
    socklen_t len = sizeof err;
    if (n != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void set_events(int ep, int fd, unsigned events, void* ptr, int op) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.ptr = ptr;
    epoll_ctl(ep, op, fd, &ev);
}

static int wait_ms_until(int64_t deadline) {
    int64_t left = deadline - now_ns();
    if (left <= 0) return 0;
    return (int)((left + 999999) / 1000000);
}

// The measured window: opened after the warm-up, closed by time or by count.
struct window {
    int64_t start;
    int64_t end;
    int open;
    int64_t server_cpu_start;
    int64_t own_cpu_start;
    long long ops;
};

static void window_open(struct window* w, const struct options* o) {
    w->server_cpu_start = server_cpu_ns(o->server_pid);
    w->own_cpu_start = own_cpu_ns();
    w->start = now_ns();
    w->end = w->start + (int64_t)(o->seconds * 1e9);
    w->open = 1;
    w->ops = 0;
}

static void print_common(const struct options* o, const struct window* w, int64_t stopped,
                         long long errors) {
    double secs = (double)(stopped - w->start) / 1e9;
    int64_t server_end = server_cpu_ns(o->server_pid);
    int64_t own = own_cpu_ns() - w->own_cpu_start;
    printf("mode=%s conns=%ld size=%ld seconds=%.3f ops=%lld ops_per_s=%.1f errors=%lld", o->mode,
           o->conns, o->size, secs, w->ops, secs > 0 ? (double)w->ops / secs : 0.0, errors);
    if (server_end >= 0 && w->server_cpu_start >= 0) {
        long long cpu = (long long)(server_end - w->server_cpu_start);
        printf(" server_cpu_ns=%lld server_ns_per_op=%.1f server_cpu_share=%.3f", cpu,
               w->ops ? (double)cpu / (double)w->ops : 0.0,
               secs > 0 ? (double)cpu / 1e9 / secs : 0);
    }
    printf(" client_ns_per_op=%.1f", w->ops ? (double)own / (double)w->ops : 0.0);
}

// ---- pingpong ----

struct pp_conn {
    int fd;
    long got;
    int64_t sent_at;
    uint64_t seq;
};

static int pp_send(struct pp_conn* c, char* msg, long size) {
    memcpy(msg, &c->seq, sizeof c->seq);  // a sequence number makes a stale echo visible
    c->sent_at = now_ns();
    c->got = 0;
    ssize_t n = send(c->fd, msg, (size_t)size, MSG_NOSIGNAL);
    return n == size ? 0 : -1;  // SIZE is small: the socket always takes it whole
}

static int run_pingpong(const struct options* o) {
    if (o->size < 8 || o->size > 65536) return fprintf(stderr, "pingpong: --size 8..65536\n"), 2;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct pp_conn* conns = calloc((size_t)o->conns, sizeof *conns);
    char* msg = malloc((size_t)o->size);
    char* in = malloc((size_t)o->size);
    if (!conns || !msg || !in) return fprintf(stderr, "out of memory\n"), 1;
    for (long i = 0; i < o->size; ++i) msg[i] = (char)('a' + i % 26);
    int64_t setup_deadline = now_ns() + 10 * 1000000000LL;
    for (long i = 0; i < o->conns; ++i) {
        conns[i].fd = connect_stream(o, setup_deadline);
        if (conns[i].fd < 0) return perror("pingpong: connect"), 1;
        set_events(ep, conns[i].fd, EPOLLIN, &conns[i], EPOLL_CTL_ADD);
    }
    long long errors = 0;
    for (long i = 0; i < o->conns; ++i)
        if (pp_send(&conns[i], msg, o->size) != 0) ++errors;

    struct window w = {0};
    int64_t warm_end = now_ns() + (int64_t)(o->warmup * 1e9);
    int64_t stopped = 0;
    struct epoll_event events[256];
    for (;;) {
        int64_t t = now_ns();
        if (!w.open && t >= warm_end) window_open(&w, o);
        if (w.open && (t >= w.end || w.ops >= o->max_count)) {
            stopped = t;
            break;
        }
        int n = epoll_wait(ep, events, 256, wait_ms_until(w.open ? w.end : warm_end));
        if (n < 0 && errno != EINTR) return perror("epoll_wait"), 1;
        for (int i = 0; i < n; ++i) {
            struct pp_conn* c = events[i].data.ptr;
            ssize_t got = recv(c->fd, in + c->got, (size_t)(o->size - c->got), 0);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                fprintf(stderr, "pingpong: connection lost\n");
                return 1;
            }
            c->got += got;
            if (c->got < o->size) continue;
            int64_t done = now_ns();
            memcpy(msg, &c->seq, sizeof c->seq);
            if (memcmp(in, msg, (size_t)o->size) != 0) ++errors;
            if (w.open) {
                ++w.ops;
                hist_add(done - c->sent_at);
            }
            ++c->seq;
            if (pp_send(c, msg, o->size) != 0) ++errors;
        }
    }
    print_common(o, &w, stopped, errors);
    printf(" p50_us=%.1f p99_us=%.1f\n", hist_percentile_us(w.ops, 0.50),
           hist_percentile_us(w.ops, 0.99));
    for (long i = 0; i < o->conns; ++i) close(conns[i].fd);
    close(ep);
    free(conns);
    free(msg);
    free(in);
    return 0;
}

// ---- bulk ----

enum { pattern_period = 251 };

struct bulk_conn {
    int fd;
    long long sent;
    long long received;
    unsigned interest;
};

static int run_bulk(const struct options* o) {
    if (o->size < 1 || o->size > (1 << 20)) return fprintf(stderr, "bulk: --size 1..1MiB\n"), 2;
    size_t read_size = 256 * 1024;
    char* pattern = malloc((size_t)o->size + read_size + pattern_period);
    char* in = malloc(read_size);
    struct bulk_conn* conns = calloc((size_t)o->conns, sizeof *conns);
    if (!pattern || !in || !conns) return fprintf(stderr, "out of memory\n"), 1;
    for (size_t i = 0; i < (size_t)o->size + read_size + pattern_period; ++i)
        pattern[i] = (char)(i % pattern_period);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int64_t setup_deadline = now_ns() + 10 * 1000000000LL;
    for (long i = 0; i < o->conns; ++i) {
        conns[i].fd = connect_stream(o, setup_deadline);
        if (conns[i].fd < 0) return perror("bulk: connect"), 1;
        conns[i].interest = EPOLLIN | EPOLLOUT;
        set_events(ep, conns[i].fd, conns[i].interest, &conns[i], EPOLL_CTL_ADD);
    }
    struct window w = {0};
    long long errors = 0, measured_from = 0;
    int64_t warm_end = now_ns() + (int64_t)(o->warmup * 1e9);
    int64_t stopped = 0;
    struct epoll_event events[256];
    for (;;) {
        int64_t t = now_ns();
        if (!w.open && t >= warm_end) {
            window_open(&w, o);
            measured_from = 0;
            for (long i = 0; i < o->conns; ++i) measured_from += conns[i].received;
        }
        if (w.open) {
            long long total = 0;
            for (long i = 0; i < o->conns; ++i) total += conns[i].received;
            w.ops = total - measured_from;
            if (t >= w.end || w.ops >= o->max_count) {
                stopped = t;
                break;
            }
        }
        int n = epoll_wait(ep, events, 256, wait_ms_until(w.open ? w.end : warm_end));
        if (n < 0 && errno != EINTR) return perror("epoll_wait"), 1;
        for (int i = 0; i < n; ++i) {
            struct bulk_conn* c = events[i].data.ptr;
            if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                ssize_t got = recv(c->fd, in, read_size, 0);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
                    fprintf(stderr, "bulk: connection lost\n");
                    return 1;
                }
                if (got > 0) {
                    if (memcmp(in, pattern + c->received % pattern_period, (size_t)got) != 0)
                        ++errors;
                    c->received += got;
                }
            }
            while (c->sent - c->received < o->window) {
                long long room = o->window - (c->sent - c->received);
                size_t chunk = (size_t)(room < o->size ? room : o->size);
                ssize_t put = send(c->fd, pattern + c->sent % pattern_period, chunk, MSG_NOSIGNAL);
                if (put <= 0) break;
                c->sent += put;
            }
            unsigned want = EPOLLIN | (c->sent - c->received < o->window ? EPOLLOUT : 0u);
            if (want != c->interest) {
                c->interest = want;
                set_events(ep, c->fd, want, c, EPOLL_CTL_MOD);
            }
        }
    }
    print_common(o, &w, stopped, errors);
    double secs = (double)(stopped - w.start) / 1e9;
    printf(" mb_per_s=%.1f\n", secs > 0 ? (double)w.ops / 1e6 / secs : 0.0);
    for (long i = 0; i < o->conns; ++i) close(conns[i].fd);
    close(ep);
    free(conns);
    free(pattern);
    free(in);
    return 0;
}

// ---- connect ----

struct cr_slot {
    int fd;
    int state;  // 0 connecting, 1 waiting for the echo
    long got;
};

static int cr_start(int ep, const struct options* o, struct cr_slot* s, const char* msg) {
    int connected = 0;
    s->fd = open_stream(o, &connected);
    s->got = 0;
    if (s->fd < 0) return -1;
    if (connected && send(s->fd, msg, (size_t)o->size, MSG_NOSIGNAL) == o->size) {
        s->state = 1;
        set_events(ep, s->fd, EPOLLIN, s, EPOLL_CTL_ADD);
    } else {
        s->state = 0;
        set_events(ep, s->fd, EPOLLOUT, s, EPOLL_CTL_ADD);
    }
    return 0;
}

static int run_connect(const struct options* o) {
    if (o->size < 1 || o->size > 65536) return fprintf(stderr, "connect: --size 1..65536\n"), 2;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct cr_slot* slots = calloc((size_t)o->conns, sizeof *slots);
    char* msg = malloc((size_t)o->size);
    char* in = malloc((size_t)o->size);
    if (!slots || !msg || !in) return fprintf(stderr, "out of memory\n"), 1;
    memset(msg, 'c', (size_t)o->size);
    long long errors = 0;
    for (long i = 0; i < o->conns; ++i)
        if (cr_start(ep, o, &slots[i], msg) != 0) return perror("connect"), 1;
    struct window w = {0};
    int64_t warm_end = now_ns() + (int64_t)(o->warmup * 1e9);
    int64_t stopped = 0;
    struct epoll_event events[256];
    for (;;) {
        int64_t t = now_ns();
        if (!w.open && t >= warm_end) window_open(&w, o);
        if (w.open && (t >= w.end || w.ops >= o->max_count)) {
            stopped = t;
            break;
        }
        int n = epoll_wait(ep, events, 256, wait_ms_until(w.open ? w.end : warm_end));
        if (n < 0 && errno != EINTR) return perror("epoll_wait"), 1;
        for (int i = 0; i < n; ++i) {
            struct cr_slot* s = events[i].data.ptr;
            int failed = 0, finished = 0;
            if (s->state == 0) {
                if (send(s->fd, msg, (size_t)o->size, MSG_NOSIGNAL) == o->size) {
                    s->state = 1;
                    set_events(ep, s->fd, EPOLLIN, s, EPOLL_CTL_MOD);
                } else {
                    failed = 1;
                }
            } else {
                ssize_t got = recv(s->fd, in + s->got, (size_t)(o->size - s->got), 0);
                if (got > 0) {
                    s->got += got;
                    finished = s->got == o->size;
                } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                    failed = 1;
                }
            }
            if (!failed && !finished) continue;
            close(s->fd);  // also leaves the epoll set
            if (failed) ++errors;
            if (finished && w.open) ++w.ops;
            if (cr_start(ep, o, s, msg) != 0) {
                // Out of ports or descriptors: count it and let the loop's bounds end the run.
                ++errors;
                s->fd = -1;
            }
        }
        if (errors > 1000) {
            fprintf(stderr, "connect: too many errors (%s)\n", strerror(errno));
            stopped = now_ns();
            break;
        }
    }
    print_common(o, &w, stopped, errors);
    printf("\n");
    for (long i = 0; i < o->conns; ++i)
        if (slots[i].fd >= 0) close(slots[i].fd);
    close(ep);
    free(slots);
    free(msg);
    free(in);
    return 0;
}

// ---- udp ----

enum { udp_max_window = 256 };

static int run_udp(const struct options* o) {
    if (o->size < 1 || o->size > 65507) return fprintf(stderr, "udp: --size 1..65507\n"), 2;
    if (o->window < 1 || o->window > udp_max_window)
        return fprintf(stderr, "udp: --window 1..%d\n", udp_max_window), 2;
    int fd = socket(o->peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr*)&o->peer, o->peer_len) != 0)
        return perror("udp: socket"), 1;
    size_t slot = (size_t)o->size;
    char* out = malloc(slot);
    char* in = malloc(slot * udp_max_window);
    if (!out || !in) return fprintf(stderr, "out of memory\n"), 1;
    memset(out, 'u', slot);
    struct mmsghdr send_msgs[udp_max_window], recv_msgs[udp_max_window];
    struct iovec send_iov[udp_max_window], recv_iov[udp_max_window];
    memset(send_msgs, 0, sizeof send_msgs);
    memset(recv_msgs, 0, sizeof recv_msgs);
    for (int i = 0; i < udp_max_window; ++i) {
        send_iov[i].iov_base = out;
        send_iov[i].iov_len = slot;
        send_msgs[i].msg_hdr.msg_iov = &send_iov[i];
        send_msgs[i].msg_hdr.msg_iovlen = 1;
        recv_iov[i].iov_base = in + slot * (size_t)i;
        recv_iov[i].iov_len = slot;
        recv_msgs[i].msg_hdr.msg_iov = &recv_iov[i];
        recv_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    set_events(ep, fd, EPOLLIN, NULL, EPOLL_CTL_ADD);
    struct window w = {0};
    long long errors = 0, lost = 0;
    long in_flight = 0;
    int64_t warm_end = now_ns() + (int64_t)(o->warmup * 1e9);
    int64_t stopped = 0;
    for (;;) {
        int64_t t = now_ns();
        if (!w.open && t >= warm_end) window_open(&w, o);
        if (w.open && (t >= w.end || w.ops >= o->max_count)) {
            stopped = t;
            break;
        }
        if (in_flight < o->window) {
            int sent = sendmmsg(fd, send_msgs, (unsigned)(o->window - in_flight), 0);
            if (sent > 0)
                in_flight += sent;
            else if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
                ++errors;
        }
        // A lost datagram would stall the window: after 20 ms of silence, write it off.
        int64_t limit = t + 20 * 1000000;
        int64_t bound = w.open ? w.end : warm_end;
        struct epoll_event ev;
        int n = epoll_wait(ep, &ev, 1, wait_ms_until(limit < bound ? limit : bound));
        if (n == 0 && now_ns() >= limit) {
            lost += in_flight;
            in_flight = 0;
            continue;
        }
        if (n <= 0) continue;
        int got = recvmmsg(fd, recv_msgs, udp_max_window, MSG_DONTWAIT, NULL);
        if (got <= 0) continue;
        in_flight -= got;
        if (in_flight < 0) in_flight = 0;
        for (int i = 0; i < got; ++i)
            if (recv_msgs[i].msg_len != (unsigned)o->size) ++errors;
        if (w.open) w.ops += got;
    }
    print_common(o, &w, stopped, errors);
    printf(" lost=%lld window=%ld\n", lost, o->window);
    close(fd);
    close(ep);
    free(out);
    free(in);
    return 0;
}

// ---- idle ----

static int run_idle(const struct options* o) {
    raise_fd_limit();
    struct rlimit r;
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur < (rlim_t)o->conns + 64) {
        fprintf(stderr, "idle: RLIMIT_NOFILE is %llu, %ld connections need %ld\n",
                (unsigned long long)r.rlim_cur, o->conns, o->conns + 64);
        return 1;
    }
    int* fds = malloc(sizeof(int) * (size_t)o->conns);
    if (!fds) return fprintf(stderr, "out of memory\n"), 1;
    struct memory before, after;
    server_memory(o->server_pid, &before);
    int64_t start = now_ns();
    int64_t deadline = start + (int64_t)(o->seconds * 1e9);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    long opened = 0, echoed = 0;
    long long errors = 0;
    char byte = 'i';
    // Waves keep the accept queue short and let the server catch up.
    const long wave = 200;
    while (opened < o->conns && now_ns() < deadline) {
        long first = opened;
        long last = opened + wave < o->conns ? opened + wave : o->conns;
        for (long i = first; i < last; ++i) {
            int connected = 0;
            fds[i] = open_stream(o, &connected);
            if (fds[i] < 0) {
                perror("idle: connect");
                last = i;
                break;
            }
            set_events(ep, fds[i], connected ? EPOLLIN : EPOLLOUT, (void*)(intptr_t)i,
                       EPOLL_CTL_ADD);
            if (connected) send(fds[i], &byte, 1, MSG_NOSIGNAL);
            ++opened;
        }
        long pending = last - first;
        struct epoll_event events[256];
        while (pending > 0 && now_ns() < deadline) {
            int n = epoll_wait(ep, events, 256, wait_ms_until(deadline));
            for (int k = 0; k < n; ++k) {
                long i = (long)(intptr_t)events[k].data.ptr;
                if (events[k].events & EPOLLOUT) {
                    if (send(fds[i], &byte, 1, MSG_NOSIGNAL) != 1) ++errors;
                    set_events(ep, fds[i], EPOLLIN, (void*)(intptr_t)i, EPOLL_CTL_MOD);
                    continue;
                }
                char c;
                if (recv(fds[i], &c, 1, 0) == 1)
                    ++echoed;
                else
                    ++errors;
                // Idle from now on: out of the epoll set, but the descriptor stays open.
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
                --pending;
            }
        }
        if (last < first + wave && opened < o->conns) break;  // a connect failed
    }
    int64_t held_at = now_ns();
    server_memory(o->server_pid, &after);
    int64_t cpu = server_cpu_ns(o->server_pid);
    long long dirty = after.private_dirty_kb - before.private_dirty_kb;
    long long rss = after.rss_kb - before.rss_kb;
    printf(
        "mode=idle conns=%ld opened=%ld echoed=%ld errors=%lld seconds=%.3f "
        "rss_before_kb=%lld rss_after_kb=%lld rss_growth_kb=%lld "
        "private_dirty_growth_kb=%lld anonymous_growth_kb=%lld bytes_per_conn=%.0f "
        "server_cpu_ns=%lld\n",
        o->conns, opened, echoed, errors, (double)(held_at - start) / 1e9, before.rss_kb,
        after.rss_kb, rss, dirty, after.anonymous_kb - before.anonymous_kb,
        echoed ? (double)dirty * 1024.0 / (double)echoed : 0.0, (long long)cpu);
    for (long i = 0; i < opened; ++i) close(fds[i]);
    close(ep);
    free(fds);
    return echoed == o->conns ? 0 : 1;
}

int main(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) return usage(0);
    if (argc < 3) return usage(2);
    struct options o;
    memset(&o, 0, sizeof o);
    o.mode = argv[1];
    o.conns = -1;
    o.size = -1;
    o.window = -1;
    o.seconds = -1;
    o.warmup = 0.3;
    o.max_count = -1;
    const char* target = NULL;
    for (int i = 2; i < argc; ++i) {
        const char* a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : NULL;
        long lv = 0;
        int bad = 0;
        if (strcmp(a, "--conns") == 0 && v)
            bad = parse_long(v, 1, 1000000, &o.conns), ++i;
        else if (strcmp(a, "--size") == 0 && v)
            bad = parse_long(v, 1, 1 << 24, &o.size), ++i;
        else if (strcmp(a, "--window") == 0 && v)
            bad = parse_long(v, 1, 1 << 30, &o.window), ++i;
        else if (strcmp(a, "--seconds") == 0 && v)
            bad = parse_double(v, 0.01, 3600, &o.seconds), ++i;
        else if (strcmp(a, "--warmup") == 0 && v)
            bad = parse_double(v, 0, 60, &o.warmup), ++i;
        else if (strcmp(a, "--server-pid") == 0 && v)
            bad = parse_long(v, 1, 1L << 30, &o.server_pid), ++i;
        else if (strcmp(a, "--max-count") == 0 && v) {
            bad = parse_long(v, 1, 0x7fffffffffffffffL, &lv), ++i;
            o.max_count = lv;
        } else if (!target && a[0] != '-')
            target = a;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "loadgen: bad argument '%s'\n", a);
            return usage(2);
        }
    }
    if (!target || parse_loopback(target, &o) != 0) {
        fprintf(stderr, "loadgen: need a loopback ADDR:PORT (127.x.y.z:PORT or [::1]:PORT)\n");
        return 2;
    }
    int idle = strcmp(o.mode, "idle") == 0, bulk = strcmp(o.mode, "bulk") == 0;
    if (o.conns < 0) o.conns = idle ? 10000 : 1;
    if (o.size < 0) o.size = bulk ? 65536 : 64;
    if (o.window < 0) o.window = bulk ? 262144 : 16;
    if (o.seconds < 0) o.seconds = idle ? 60 : 3;
    if (o.max_count < 0) o.max_count = bulk ? 1LL << 40 : 100000000;
    if (o.conns > 1000 && !idle) raise_fd_limit();
    if (strcmp(o.mode, "pingpong") == 0) return run_pingpong(&o);
    if (bulk) return run_bulk(&o);
    if (strcmp(o.mode, "connect") == 0) return run_connect(&o);
    if (strcmp(o.mode, "udp") == 0) return run_udp(&o);
    if (idle) return run_idle(&o);
    fprintf(stderr, "loadgen: unknown mode '%s'\n", o.mode);
    return usage(2);
}
