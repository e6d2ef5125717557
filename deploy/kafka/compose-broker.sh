#!/bin/bash
# Starts the compose broker (docker-compose.yml) with SASL/SCRAM and ACLs.
#
# KRaft keeps SCRAM credentials in its metadata log, and the brokers' own login needs one
# before the broker can serve, so every principal's credential is written at format time
# (`kafka-storage.sh format --add-scram`, as bestil/kafka.py does for the tests). The volume
# is formatted once: a password changed later is changed on the running broker with
# kafka-configs.sh (docs/kafka.md, "Access control").
set -euo pipefail

# The principals of shared/access.py: the admin, the four services, the agencies.
USERS="admin intake routing screening notifications agency"

work=/tmp/bestil
mkdir -p "$work"
chmod 700 "$work"
config="$work/server.properties"
login="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"${KAFKA_ADMIN_PASSWORD}\";"
cp /opt/bestil/server.properties "$config"
echo "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$login" >> "$config"
# The healthcheck's client (kafka-broker-api-versions.sh --command-config).
printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=%s\n' \
  "$login" > "$work/admin.properties"

scram=()
for user in $USERS; do
  variable="KAFKA_${user^^}_PASSWORD"
  password="${!variable:?$variable is not set}"
  scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$password]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" \
  --config "$config" "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
