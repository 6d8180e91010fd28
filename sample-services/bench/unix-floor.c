// The machine's floor for `workload-api:` (the first-SVID burst of `./meshca bench workload-api`):
// the same burst, served by the least a Workload API server can do in C, so that the agent's figure
// can be read against what this kernel and these cores allow at all.
//
// Server (a child process, one epoll thread per -threads): per connection, what the agent's kernel
// work cannot go below — accept, SO_PEERCRED, /proc/<pid>/stat at accept (the PID-reuse check),
// a SETTINGS-sized write; on the request: read it, /proc/<pid>/status, readlink /proc/<pid>/exe,
// /proc/<pid>/cmdline, /proc/<pid>/stat again, one write of -bytes (a first X509SVIDResponse in its
// HTTP/2 frames); close on EOF. No HTTP/2, no gRPC, no protobuf, no allocation.
// Client (this process, one thread, like the bench's minimal clients): -clients non-blocking unix
// connections opened at once, one request write each, a sample from the burst's start to the last
// byte of each response, the connection closed at once; -rounds bursts, 50 ms apart.
//
// Build and run: sample-services/bench/first-svid-floor.sh (cc -O2). Last line:
//   floor: clients=<n> p50=<ms> p99=<ms> server_us=<per connection> client_us=<per connection>
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define REQUEST_BYTES 200  // preface + SETTINGS + HEADERS + DATA of the bench's minimal client
#define SETTINGS_BYTES 30

static struct sockaddr_un address;
static int listener;
static int response_bytes = 2048;
static char zeros[1 << 16];

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void read_proc(int pid, const char *file) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, buf, sizeof buf) < 0) { /* the agent would refuse the call; the floor goes on */ }
        close(fd);
    }
}

static void *serve(void *unused) {
    (void) unused;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = -1};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    struct epoll_event events[256];
    char buf[4096];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == -1) {
                int c;
                while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct ucred peer;
                    socklen_t len = sizeof peer;
                    getsockopt(c, SOL_SOCKET, SO_PEERCRED, &peer, &len);
                    read_proc(peer.pid, "stat");
                    struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
                    if (write(c, zeros, SETTINGS_BYTES) < 0) { /* peer gone: EOF follows */ }
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) {
                close(fd); // also leaves the epoll set
                continue;
            }
            struct ucred peer;
            socklen_t len = sizeof peer;
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len);
            char path[64], target[4096];
            read_proc(peer.pid, "status");
            snprintf(path, sizeof path, "/proc/%d/exe", peer.pid);
            if (readlink(path, target, sizeof target) < 0) { /* as above */ }
            read_proc(peer.pid, "cmdline");
            read_proc(peer.pid, "stat");
            if (write(fd, zeros, response_bytes) < 0) { /* as above */ }
        }
    }
    return NULL;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static long cpu_us_of(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    long user = 0, sys = 0;
    if (f) {
        if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &user, &sys) != 2) {
            user = sys = 0;
        }
        fclose(f);
    }
    return (user + sys) * (1000000L / sysconf(_SC_CLK_TCK));
}

static long self_cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
    int clients = 100, rounds = 30, warmup = 20, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "-clients")) clients = v;
        else if (!strcmp(argv[i], "-rounds")) rounds = v;
        else if (!strcmp(argv[i], "-warmup")) warmup = v;
        else if (!strcmp(argv[i], "-threads")) threads = v;
        else if (!strcmp(argv[i], "-bytes")) response_bytes = v;
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (clients < 1 || rounds < 1 || warmup < 0 || threads < 1 || response_bytes < 1 || response_bytes > (int) sizeof zeros) {
        fprintf(stderr, "-clients, -rounds, -threads, -bytes (up to %zu) must be at least 1, -warmup at least 0\n", sizeof zeros);
        return 2;
    }
    address.sun_family = AF_UNIX;
    snprintf(address.sun_path, sizeof address.sun_path, "/tmp/meshca-floor-%d.sock", getpid());
    unlink(address.sun_path);
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (bind(listener, (struct sockaddr *) &address, sizeof address) || listen(listener, 4096)) {
        perror("bind/listen");
        return 1;
    }
    pid_t server = fork();
    if (server == 0) {
        pthread_t t;
        for (int i = 1; i < threads; i++) pthread_create(&t, NULL, serve, NULL);
        serve(NULL);
        return 0;
    }
    close(listener);

    double *samples = malloc(sizeof(double) * clients * rounds);
    double *started = malloc(sizeof(double) * clients);
    int *fds = malloc(sizeof(int) * clients), *got = malloc(sizeof(int) * clients);
    int count = 0, errors = 0;
    long server_cpu = 0, client_cpu = 0;
    char buf[1 << 16];
    for (int round = -warmup; round < rounds; round++) {
        if (round == 0) {
            server_cpu = cpu_us_of(server);
            client_cpu = self_cpu_us();
        }
        int ep = epoll_create1(0), pending = clients;
        double t0 = now_ms();
        for (int i = 0; i < clients; i++) {
            got[i] = 0;
            fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (connect(fds[i], (struct sockaddr *) &address, sizeof address) && errno != EINPROGRESS) {
                errors++; pending--; close(fds[i]); fds[i] = -1; continue;
            }
            if (write(fds[i], zeros, REQUEST_BYTES) != REQUEST_BYTES) {
                errors++; pending--; close(fds[i]); fds[i] = -1; continue;
            }
            struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
            epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
            started[i] = t0;
        }
        struct epoll_event events[256];
        while (pending > 0) {
            int n = epoll_wait(ep, events, 256, 10000);
            if (n <= 0) { errors += pending; break; }
            for (int j = 0; j < n; j++) {
                int i = events[j].data.u32;
                ssize_t r = read(fds[i], buf, sizeof buf);
                if (r <= 0) { errors++; pending--; close(fds[i]); continue; }
                got[i] += r;
                if (got[i] >= SETTINGS_BYTES + response_bytes) {
                    if (round >= 0) samples[count++] = now_ms() - started[i];
                    pending--;
                    close(fds[i]);
                }
            }
        }
        close(ep);
        usleep(50000);
    }
    server_cpu = cpu_us_of(server) - server_cpu;
    client_cpu = self_cpu_us() - client_cpu;
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    unlink(address.sun_path);
    if (count == 0) {
        fprintf(stderr, "no samples (errors=%d)\n", errors);
        return 1;
    }
    qsort(samples, count, sizeof(double), by_value);
    int rank99 = (count * 99 + 99) / 100; // nearest rank, as the bench's Latencies
    printf("floor: clients=%d p50=%.2f p99=%.2f errors=%d server_us=%ld client_us=%ld threads=%d bytes=%d\n", clients,
           samples[(count + 1) / 2 - 1], samples[rank99 - 1], errors,
           server_cpu / count, client_cpu / count, threads, response_bytes);
    return errors == 0 ? 0 : 1;
}
