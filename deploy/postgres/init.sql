-- One database per service, each owned by that service's own role (DESIGN §2: no service
-- reads another's database).
--
-- The postgres image runs this once, with psql as the superuser, when it initialises an
-- empty data volume (/docker-entrypoint-initdb.d). The passwords come from the container's
-- environment (see docker-compose.yml); they must match the services' database URLs.
-- Changing them later needs ALTER ROLE … PASSWORD, or a fresh volume.

\set ON_ERROR_STOP on

\getenv intake_password INTAKE_DB_PASSWORD
\getenv routing_password ROUTING_DB_PASSWORD
\getenv screening_password SCREENING_DB_PASSWORD
\getenv notifications_password NOTIFICATIONS_DB_PASSWORD

CREATE ROLE bestil_intake LOGIN PASSWORD :'intake_password';
CREATE DATABASE bestil_intake OWNER bestil_intake;
REVOKE ALL ON DATABASE bestil_intake FROM PUBLIC;

CREATE ROLE bestil_routing LOGIN PASSWORD :'routing_password';
CREATE DATABASE bestil_routing OWNER bestil_routing;
REVOKE ALL ON DATABASE bestil_routing FROM PUBLIC;

CREATE ROLE bestil_screening LOGIN PASSWORD :'screening_password';
CREATE DATABASE bestil_screening OWNER bestil_screening;
REVOKE ALL ON DATABASE bestil_screening FROM PUBLIC;

CREATE ROLE bestil_notifications LOGIN PASSWORD :'notifications_password';
CREATE DATABASE bestil_notifications OWNER bestil_notifications;
REVOKE ALL ON DATABASE bestil_notifications FROM PUBLIC;
