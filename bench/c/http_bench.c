// http_bench: a closed-loop HTTP/1.1 load generator for POST /v1/appeals (scripts/bench intake).
//
//   http_bench HOST PORT API_KEY CLIENTS TOTAL
//
// CLIENTS threads each keep one keep-alive connection and send POSTs one after another (each with its own
// Idempotency-Key, so each creates an appeal) until TOTAL requests have been sent. Prints throughput of 2xx
// answers and latency percentiles. Plain blocking sockets: the server is what is measured.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host;
static int port;
static const char *api_key;
static long total;
static atomic_long next_request;
static atomic_long ok_count;
static atomic_long error_count;
static double *latencies;
static atomic_long latency_count;
static int any_status;     // HTTP_BENCH_ANY_STATUS=1: count every answer (to time the HTTP stack alone)
static int no_idempotency; // HTTP_BENCH_NO_KEY=1: leave out Idempotency-Key (the server answers 400 at once)

static const char *body =
    "{\"channel\":\"hotline\",\"kind\":\"complaint\",\"title\":\"小区夜间施工噪音扰民\","
    "\"body\":\"襄城区檀溪路128号小区旁工地夜间施工，噪音很大，影响居民休息，请有关部门尽快处理。\","
    "\"submitted_at\":\"2026-11-20T08:00:00Z\","
    "\"location\":{\"district\":\"襄城区\",\"address\":\"檀溪路128号\",\"latitude\":32.01,\"longitude\":112.13},"
    "\"citizen\":{\"name\":\"张三\",\"phone\":\"13800138000\"},\"attachments\":[]}";

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_once(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Reads one response; returns the status code, or -1 when the connection failed.
static int read_response(int fd, char *buffer, size_t size) {
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        ssize_t got = recv(fd, buffer + used, size - used - 1, 0);
        if (got <= 0) return -1;
        used += (size_t)got;
        buffer[used] = 0;
        end = strstr(buffer, "\r\n\r\n");
    }
    int status = atoi(buffer + 9);
    long length = 0;
    char *cl = strcasestr(buffer, "content-length:");
    if (cl && cl < end) length = atol(cl + 15);
    size_t have = used - (size_t)(end + 4 - buffer);
    while ((long)have < length) {
        ssize_t got = recv(fd, buffer, size - 1, 0);
        if (got <= 0) return -1;
        have += (size_t)got;
    }
    return status;
}

static void *client(void *arg) {
    long id = (long)arg;
    char request[4096], response[65536];
    int fd = connect_once();
    size_t body_length = strlen(body);
    for (;;) {
        long n = atomic_fetch_add(&next_request, 1);
        if (n >= total) break;
        if (fd < 0) fd = connect_once();
        int length = snprintf(request, sizeof request,
                              "POST /v1/appeals HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                              "%s%d-%ld-%ld\r\nContent-Type: application/json\r\n"
                              "Content-Length: %zu\r\n\r\n%s",
                              host, api_key, no_idempotency ? "X-Bench: " : "Idempotency-Key: bench-", getpid(), id, n,
                              body_length, body);
        double start = now_seconds();
        int status = -1;
        if (fd >= 0 && send(fd, request, (size_t)length, MSG_NOSIGNAL) == length)
            status = read_response(fd, response, sizeof response);
        double elapsed = now_seconds() - start;
        if ((status >= 200 && status < 300) || (any_status && status > 0)) {
            atomic_fetch_add(&ok_count, 1);
            latencies[atomic_fetch_add(&latency_count, 1)] = elapsed;
        } else {
            atomic_fetch_add(&error_count, 1);
            if (status < 0) { if (fd >= 0) close(fd); fd = -1; }
        }
    }
    if (fd >= 0) close(fd);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    /* The API key comes from the environment, not the command line (which other users can see in ps). */
    api_key = getenv("HTTP_BENCH_API_KEY");
    if (argc != 5 || api_key == NULL) {
        fprintf(stderr, "usage: HTTP_BENCH_API_KEY=... %s HOST PORT CLIENTS TOTAL\n", argv[0]);
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    int clients = atoi(argv[3]);
    total = atol(argv[4]);
    latencies = calloc((size_t)total, sizeof(double));
    any_status = getenv("HTTP_BENCH_ANY_STATUS") != NULL;
    no_idempotency = getenv("HTTP_BENCH_NO_KEY") != NULL;
    pthread_t threads[clients];
    double start = now_seconds();
    for (long i = 0; i < clients; i++) pthread_create(&threads[i], NULL, client, (void *)i);
    for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
    double elapsed = now_seconds() - start;
    long count = atomic_load(&latency_count);
    qsort(latencies, (size_t)count, sizeof(double), compare);
    double p50 = count ? latencies[count / 2] : 0, p99 = count ? latencies[(long)(count * 0.99)] : 0;
    double max = count ? latencies[count - 1] : 0;
    printf("http intake: %ld accepted (2xx), %ld failed, %d clients, %.1f s: %.0f appeals/s; "
           "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           atomic_load(&ok_count), atomic_load(&error_count), clients, elapsed, atomic_load(&ok_count) / elapsed,
           p50 * 1000, p99 * 1000, max * 1000);
    return atomic_load(&error_count) == 0 ? 0 : 1;
}
