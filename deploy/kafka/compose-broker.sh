#!/usr/bin/env bash
# The Compose broker (apache/kafka image) with the same security as `pantau infra up`: INTERNAL
# (SASL/SCRAM, the services, each its own principal), EXTERNAL (SASL/SCRAM over TLS, published for
# agencies), CONTROLLER (SASL/PLAIN); KRaft's standard authoriser, no access without an ACL.
# The admin principal is created when the storage is formatted; `pantau kafka setup` (the
# kafka-setup service) creates the services' principals, their ACLs and the topics.
# TLS: /pantau/tls/broker.pem (unencrypted PKCS#8 key, certificate, chain) and ca.pem, from
# `pantau kafka certs --host HOST --out DIR` or your own CA (docs/operating.md).
set -euo pipefail
: "${PANTAU_KAFKA_ADMIN_PASSWORD:?}" "${PANTAU_KAFKA_CONTROLLER_PASSWORD:?}" "${PANTAU_KAFKA_EXTERNAL_BOOTSTRAP:?}"
props=/tmp/server.properties
scram="org.apache.kafka.common.security.scram.ScramLoginModule required"
umask 077
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=kafka:9093
listeners=INTERNAL://:9092,EXTERNAL://:9094,CONTROLLER://:9093
advertised.listeners=INTERNAL://kafka:9092,EXTERNAL://${PANTAU_KAFKA_EXTERNAL_BOOTSTRAP}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="pantau-controller" password="${PANTAU_KAFKA_CONTROLLER_PASSWORD}" user_pantau-controller="${PANTAU_KAFKA_CONTROLLER_PASSWORD}";
listener.name.internal.scram-sha-512.sasl.jaas.config=${scram} username="pantau-admin" password="${PANTAU_KAFKA_ADMIN_PASSWORD}";
listener.name.external.scram-sha-512.sasl.jaas.config=${scram};
listener.name.external.ssl.keystore.type=PEM
listener.name.external.ssl.keystore.location=/pantau/tls/broker.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:pantau-admin;User:pantau-controller
allow.everyone.if.no.acl.found=false
log.dirs=/var/lib/kafka/data
num.partitions=${PANTAU_TOPIC_PARTITIONS:-8}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
# for the health check: the admin principal on the internal listener
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=${scram} username="pantau-admin" password="${PANTAU_KAFKA_ADMIN_PASSWORD}";
PROPS
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  /opt/kafka/bin/kafka-storage.sh format --standalone -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$props" \
    --add-scram "SCRAM-SHA-512=[name=pantau-admin,password=${PANTAU_KAFKA_ADMIN_PASSWORD}]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$props"
