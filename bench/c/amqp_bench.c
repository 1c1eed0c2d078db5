/*
 * amqp_bench: the baseline for Minhu's AMQP benchmark, in plain C on rabbitmq-c 0.11.
 * Publishes N persistent messages of SIZE bytes to a fresh queue (classic or quorum) with publisher confirms
 * waited for every CONFIRM messages, then consumes them with prefetch 3*ACK and a multiple-ack every ACK.
 *
 *   amqp_bench HOST PORT USER PASSWORD VHOST QUEUE_TYPE N SIZE CONFIRM ACK
 *
 * Prints two lines: "c <type> publish (confirm every K): R msg/s" and "c <type> consume (ack every K): R msg/s".
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die_reply(amqp_rpc_reply_t r, const char *what) {
    if (r.reply_type == AMQP_RESPONSE_NORMAL) return;
    fprintf(stderr, "%s failed (reply type %d, library error %d)\n", what, r.reply_type, r.library_error);
    exit(1);
}

static amqp_connection_state_t open_connection(const char *host, int port, const char *user, const char *password,
                                               const char *vhost) {
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (amqp_socket_open(socket, host, port) != AMQP_STATUS_OK) { fprintf(stderr, "connect failed\n"); exit(1); }
    die_reply(amqp_login(conn, vhost, 0, 131072, 10, AMQP_SASL_METHOD_PLAIN, user, password), "login");
    amqp_channel_open(conn, 1);
    die_reply(amqp_get_rpc_reply(conn), "channel.open");
    return conn;
}

int main(int argc, char **argv) {
    /* The password comes from the environment, not the command line (which other users can see in ps). */
    const char *password = getenv("AMQP_BENCH_PASSWORD");
    if (argc != 10 || password == NULL) {
        fprintf(stderr, "usage: AMQP_BENCH_PASSWORD=... %s HOST PORT USER VHOST QUEUE_TYPE N SIZE CONFIRM ACK\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *user = argv[3], *vhost = argv[4], *type = argv[5];
    int port = atoi(argv[2]), n = atoi(argv[6]), size = atoi(argv[7]), confirm = atoi(argv[8]), ack = atoi(argv[9]);
    char queue[64];
    snprintf(queue, sizeof queue, "bench.c.%s", type);

    amqp_connection_state_t conn = open_connection(host, port, user, password, vhost);
    amqp_table_entry_t entry;
    amqp_table_t args = {0, NULL};
    if (strcmp(type, "quorum") == 0) {
        entry.key = amqp_cstring_bytes("x-queue-type");
        entry.value.kind = AMQP_FIELD_KIND_UTF8;
        entry.value.value.bytes = amqp_cstring_bytes("quorum");
        args.num_entries = 1;
        args.entries = &entry;
    }
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, args);
    die_reply(amqp_get_rpc_reply(conn), "queue.declare");
    amqp_confirm_select(conn, 1);
    die_reply(amqp_get_rpc_reply(conn), "confirm.select");

    char *payload = malloc(size);
    memset(payload, 'x', size);
    amqp_bytes_t body = {size, payload};
    amqp_basic_properties_t props;
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = 2;
    props.content_type = amqp_cstring_bytes("application/json");

    double start = now();
    uint64_t published = 0, confirmed = 0;
    for (int i = 0; i < n; i++) {
        if (amqp_basic_publish(conn, 1, amqp_cstring_bytes(""), amqp_cstring_bytes(queue), 1, 0, &props, body) != 0) {
            fprintf(stderr, "publish failed\n");
            return 1;
        }
        published++;
        if (published % confirm == 0 || i == n - 1) {
            while (confirmed < published) {
                amqp_frame_t frame;
                if (amqp_simple_wait_frame(conn, &frame) != AMQP_STATUS_OK) { fprintf(stderr, "wait failed\n"); return 1; }
                if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
                    amqp_basic_ack_t *a = frame.payload.method.decoded;
                    confirmed = a->multiple ? a->delivery_tag : confirmed + 1;
                }
            }
        }
    }
    double publish_seconds = now() - start;
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);

    conn = open_connection(host, port, user, password, vhost);
    amqp_basic_qos(conn, 1, 0, ack * 3, 0);
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    die_reply(amqp_get_rpc_reply(conn), "basic.consume");
    start = now();
    int received = 0;
    while (received < n) {
        amqp_envelope_t envelope;
        amqp_maybe_release_buffers(conn);
        amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, NULL, 0);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) { fprintf(stderr, "consume failed\n"); return 1; }
        received++;
        if (received % ack == 0 || received == n) amqp_basic_ack(conn, 1, envelope.delivery_tag, 1);
        amqp_destroy_envelope(&envelope);
    }
    double consume_seconds = now() - start;
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(queue), 0, 0);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    printf("c %s publish (confirm every %d): %.0f msg/s\n", type, confirm, n / publish_seconds);
    printf("c %s consume (ack every %d): %.0f msg/s\n", type, ack, n / consume_seconds);
    return 0;
}
