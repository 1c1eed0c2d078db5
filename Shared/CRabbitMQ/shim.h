#ifndef MINHU_CRABBITMQ_SHIM_H
#define MINHU_CRABBITMQ_SHIM_H
// rabbitmq-c 0.11 (Debian's librabbitmq-dev): headers have no `rabbitmq-c/` prefix.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_framing.h>

/// `amqp_login` is C-variadic and not imported by Swift: plain-password login wrapper.
static inline amqp_rpc_reply_t minhu_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                      int channel_max, int frame_max, int heartbeat,
                                                      const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user, password);
}

/// Login with client properties (connection name shown in the management UI).
static inline amqp_rpc_reply_t minhu_amqp_login_plain_props(amqp_connection_state_t state, const char *vhost,
                                                            int channel_max, int frame_max, int heartbeat,
                                                            const amqp_table_t *properties,
                                                            const char *user, const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}
#endif
