/*
 * bare_http.c: a bare C epoll HTTP/1.1 hello-world server, the peer of the `net`
 * suite's `http_hello_vs_bare_c_*` rows. It is a measurement peer, not product code: it
 * shows what the hello-world exchange costs with no runtime and no HTTP library at all,
 * the floor our svc-http server is held against (goal: within 10 % of it).
 *
 * `compare` compiles it at run time (`cc -O2`, once per run) and starts it as a child
 * process like its own servers (`net/process.rs`): it prints `ready ADDR` once it listens
 * on 127.0.0.1 (ephemeral port) and exits when its standard input closes.
 *
 * One thread, one level-triggered epoll set: the classic "bare C epoll server". Our
 * server runs 2 workers, but the rows are server CPU per request under `wrk -t1` on 2
 * shared cores, and a second thread would add wake-ups and cross-core traffic, not
 * lower that cost; one thread is the cheapest this can be done.
 *
 * Each connection has a fixed input buffer and a fixed output buffer, allocated once
 * when it is accepted; a request costs no allocation. Every complete head in the input
 * (up to `\r\n\r\n`; GET without a body, so nothing follows a head but the next one) is
 * answered with the same bytes svc-http sends for `Hello World!\n`, all the answers of
 * one read in one write. Keep-alive; a connection closes on EOF, an error or a head
 * larger than its buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Per-connection buffer sizes: a request head must fit in IN_SIZE (svc-http's limit is
 * larger, but wrk's head is ~40 bytes). */
#define IN_SIZE 4096
#define OUT_SIZE 8192
#define MAX_EVENTS 256
#define BACKLOG 1024

/* What svc-http answers (`status line`, `date`, `content-length`, in its order and
 * case). The date is rewritten in place when the second changes. */
static char response[] = "HTTP/1.1 200 OK\r\n"
                         "date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
                         "content-length: 13\r\n"
                         "\r\n"
                         "Hello World!\n";
#define RESPONSE_LEN (sizeof(response) - 1)
#define DATE_AT 23 /* offset of the date's text: after "HTTP/1.1 200 OK\r\ndate: " */
#define DATE_LEN 29

struct conn {
    int fd;
    /* Whether the connection waits for EPOLLOUT (output left after a short write). */
    int writing;
    size_t in_len;
    /* Where to resume searching for `\r\n\r\n`: the bytes before it hold none. */
    size_t scanned;
    size_t out_at, out_len;
    char in[IN_SIZE];
    char out[OUT_SIZE];
};

static int epoll_fd;
static time_t date_second = -1;

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* Rewrites the date of `response` when the second has changed: once a second at most,
 * as svc-http does. */
static void refresh_date(void) {
    time_t now = time(NULL);
    if (now == date_second)
        return;
    date_second = now;
    struct tm tm;
    char text[DATE_LEN + 1];
    gmtime_r(&now, &tm);
    strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    memcpy(response + DATE_AT, text, DATE_LEN);
}

static void close_conn(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

static int watch(struct conn *c, int op, unsigned events) {
    struct epoll_event event = {.events = events, .data.ptr = c};
    return epoll_ctl(epoll_fd, op, c->fd, &event);
}

/* Writes the pending output. Returns 0 when all of it is written, 1 when the socket is
 * full (the rest waits for EPOLLOUT), -1 on an error. */
static int flush(struct conn *c) {
    while (c->out_at < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_at, c->out_len - c->out_at);
        if (n > 0) {
            c->out_at += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return 1;
        } else {
            return -1;
        }
    }
    c->out_at = c->out_len = 0;
    return 0;
}

/* Answers every complete head in the input, flushing whenever the output buffer is
 * full. Returns 0 when the output is all written, 1 when it waits for EPOLLOUT, -1 on an
 * error or a head that cannot fit. */
static int answer(struct conn *c) {
    size_t start = 0;
    int status = 0;
    for (;;) {
        size_t from = c->scanned > start + 3 ? c->scanned - 3 : start;
        char *end = memmem(c->in + from, c->in_len - from, "\r\n\r\n", 4);
        if (end == NULL) {
            c->scanned = c->in_len;
            break;
        }
        if (c->out_len + RESPONSE_LEN > OUT_SIZE) {
            status = flush(c);
            if (status != 0)
                break; /* this head is answered once the output drains */
        }
        memcpy(c->out + c->out_len, response, RESPONSE_LEN);
        c->out_len += RESPONSE_LEN;
        start = (size_t)(end - c->in) + 4;
        c->scanned = start;
    }
    /* Keep the unanswered bytes (a partial head, or heads behind a full socket). */
    if (start > 0) {
        memmove(c->in, c->in + start, c->in_len - start);
        c->in_len -= start;
        c->scanned -= start;
    }
    if (status == 0)
        status = flush(c);
    if (status == 0 && c->in_len == IN_SIZE)
        return -1; /* a head larger than the buffer */
    return status;
}

/* Switches the connection between waiting for input and waiting to write. */
static int set_writing(struct conn *c, int writing) {
    if (c->writing == writing)
        return 0;
    c->writing = writing;
    return watch(c, EPOLL_CTL_MOD, writing ? EPOLLOUT : EPOLLIN);
}

static void on_readable(struct conn *c) {
    ssize_t n = read(c->fd, c->in + c->in_len, IN_SIZE - c->in_len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        close_conn(c);
        return;
    }
    c->in_len += (size_t)n;
    int status = answer(c);
    if (status < 0 || set_writing(c, status) != 0)
        close_conn(c);
}

static void on_writable(struct conn *c) {
    int status = flush(c);
    if (status == 0)
        status = answer(c); /* heads that waited behind the full socket */
    if (status < 0 || set_writing(c, status) != 0)
        close_conn(c);
}

static void on_acceptable(int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN: drained; anything else: try again on the next event */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as svc-http */
        struct conn *c = malloc(sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->writing = 0;
        c->in_len = c->scanned = c->out_at = c->out_len = 0;
        if (watch(c, EPOLL_CTL_ADD, EPOLLIN) != 0)
            close_conn(c);
    }
}

int main(void) {
    /* A client that goes away mid-write is an EPIPE error, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0)
        die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("bind");
    if (listen(listener, BACKLOG) != 0)
        die("listen");
    socklen_t len = sizeof addr;
    if (getsockname(listener, (struct sockaddr *)&addr, &len) != 0)
        die("getsockname");

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0)
        die("epoll_create1");
    /* The listener and standard input are told apart from connections by their
     * (non-pointer) tags; standard input closing ends the server. */
    static const int LISTENER_TAG = 0, STDIN_TAG = 1;
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = LISTENER_TAG};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event) != 0)
        die("epoll_ctl listener");
    event.data.u64 = STDIN_TAG;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, STDIN_FILENO, &event) != 0)
        die("epoll_ctl stdin");

    printf("ready 127.0.0.1:%u\n", (unsigned)ntohs(addr.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        refresh_date();
        for (int i = 0; i < ready; i++) {
            if (events[i].data.u64 == LISTENER_TAG) {
                on_acceptable(listener);
            } else if (events[i].data.u64 == STDIN_TAG) {
                char discard[256];
                ssize_t n = read(STDIN_FILENO, discard, sizeof discard);
                if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                    return 0;
            } else {
                struct conn *c = events[i].data.ptr;
                if (c->writing)
                    on_writable(c);
                else
                    on_readable(c);
            }
        }
    }
}
