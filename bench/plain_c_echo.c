// SPDX-License-Identifier: MIT
//
// plain_c_echo: the physical reference for netlite's benchmarks. A single-threaded,
// level-triggered epoll echo server in plain C: per round trip it makes exactly three syscalls
// (epoll_wait, recv, send) with one 64 KiB buffer shared by all connections. TCP_NODELAY on
// every accepted socket. A partial send parks the rest in a per-connection buffer and waits
// for EPOLLOUT (reading from that connection pauses meanwhile), so bulk transfers stay correct.
// --udp: a blocking recvfrom/sendto loop instead (two syscalls per datagram).
// Prints "listening on 127.0.0.1:PORT" once ready; exits 0 on SIGTERM or SIGINT.
//
// Try: plain_c_echo 0   (then: nc 127.0.0.1 PORT)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum { buffer_size = 64 * 1024, max_events = 256 };

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

// Bytes accepted from a peer that its socket did not take yet (only after a partial send).
struct pending {
    char* data;
    size_t size;
    size_t sent;
};

static struct pending* pending_by_fd;  // indexed by fd
static size_t pending_capacity;

static int usage(const char* argv0, int code) {
    fprintf(code == 0 ? stdout : stderr, "usage: %s [--udp] [--bind IPV4] PORT\n", argv0);
    return code;
}

static void close_connection(int ep, int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    if ((size_t)fd < pending_capacity) {
        free(pending_by_fd[fd].data);
        memset(&pending_by_fd[fd], 0, sizeof pending_by_fd[fd]);
    }
}

static void set_interest(int ep, int fd, unsigned events) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static int grow_pending(int fd) {
    if ((size_t)fd < pending_capacity) return 0;
    size_t n = pending_capacity ? pending_capacity : 1024;
    while (n <= (size_t)fd) n *= 2;
    struct pending* p = realloc(pending_by_fd, n * sizeof *p);
    if (!p) return -1;
    memset(p + pending_capacity, 0, (n - pending_capacity) * sizeof *p);
    pending_by_fd = p;
    pending_capacity = n;
    return 0;
}

// Sends what the socket takes; parks the rest and switches the connection to EPOLLOUT.
static void echo(int ep, int fd, const char* data, size_t size) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            close_connection(ep, fd);
            return;
        }
        n = 0;
    }
    if ((size_t)n == size) return;
    if (grow_pending(fd) != 0) {
        close_connection(ep, fd);
        return;
    }
    struct pending* p = &pending_by_fd[fd];
    p->data = malloc(size - (size_t)n);
    if (!p->data) {
        close_connection(ep, fd);
        return;
    }
    memcpy(p->data, data + n, size - (size_t)n);
    p->size = size - (size_t)n;
    p->sent = 0;
    set_interest(ep, fd, EPOLLOUT);
}

static void flush_pending(int ep, int fd) {
    struct pending* p = &pending_by_fd[fd];
    ssize_t n = send(fd, p->data + p->sent, p->size - p->sent, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close_connection(ep, fd);
        return;
    }
    p->sent += (size_t)n;
    if (p->sent < p->size) return;
    free(p->data);
    memset(p, 0, sizeof *p);
    set_interest(ep, fd, EPOLLIN);
}

static int run_tcp(int listener) {
    static char buffer[buffer_size];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) return perror("epoll_create1"), 1;
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) return perror("epoll_ctl"), 1;

    // SIGTERM stays blocked except inside epoll_pwait, so a stop request is never missed.
    sigset_t blocked, during_wait;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigprocmask(SIG_BLOCK, &blocked, &during_wait);

    struct epoll_event events[max_events];
    while (!stop_requested) {
        int n = epoll_pwait(ep, events, max_events, -1, &during_wait);
        if (n < 0) {
            if (errno == EINTR) continue;
            return perror("epoll_pwait"), 1;
        }
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) continue;  // EAGAIN, or a client that already gave up
                int one = 1;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event cev;
                memset(&cev, 0, sizeof cev);
                cev.events = EPOLLIN;
                cev.data.fd = c;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) != 0) close(c);
                continue;
            }
            if (events[i].events & EPOLLOUT) {
                flush_pending(ep, fd);
                continue;
            }
            ssize_t got = recv(fd, buffer, sizeof buffer, 0);
            if (got > 0) {
                echo(ep, fd, buffer, (size_t)got);
            } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                close_connection(ep, fd);
            }
        }
    }
    close(ep);
    return 0;
}

static int run_udp(int sock) {
    static char buffer[buffer_size];
    // A receive timeout lets the loop notice a stop request that lands between two calls.
    struct timeval tv = {0, 200 * 1000};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (!stop_requested) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(sock, buffer, sizeof buffer, 0, (struct sockaddr*)&from, &len);
        if (n < 0) continue;  // EINTR, timeout, or an ICMP error from an earlier peer
        sendto(sock, buffer, (size_t)n, 0, (struct sockaddr*)&from, len);
    }
    return 0;
}

int main(int argc, char** argv) {
    int udp = 0;
    const char* bind_address = "127.0.0.1";
    const char* port_text = NULL;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--udp") == 0) {
            udp = 1;
        } else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
            bind_address = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0) {
            return usage(argv[0], 0);
        } else if (!port_text && argv[i][0] != '-') {
            port_text = argv[i];
        } else {
            return usage(argv[0], 2);
        }
    }
    if (!port_text) return usage(argv[0], 2);
    char* end = NULL;
    long port = strtol(port_text, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) return usage(argv[0], 2);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind_address, &addr.sin_addr) != 1) return usage(argv[0], 2);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;  // no SA_RESTART: blocking calls return EINTR
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int s = socket(AF_INET,
                   (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | (udp ? 0 : SOCK_NONBLOCK), 0);
    if (s < 0) return perror("socket"), 1;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr*)&addr, sizeof addr) != 0) return perror("bind"), 1;
    if (!udp && listen(s, SOMAXCONN) != 0) return perror("listen"), 1;
    socklen_t len = sizeof addr;
    getsockname(s, (struct sockaddr*)&addr, &len);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text);
    printf("listening on %s:%u\n", text, (unsigned)ntohs(addr.sin_port));
    fflush(stdout);

    int rc = udp ? run_udp(s) : run_tcp(s);
    close(s);
    return rc;
}
