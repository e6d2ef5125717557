"""The workspace's pure rules (no I/O): nearness, lock-out, CSRF, replies, deadlines, forms, charts.

(Unit tests; they live here because tests/unit/ is outside the screening team's files.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.screening import forms
from services.screening.domain import (
    ActionRefusedError,
    decision_for,
    group_of,
    may_edit_templates,
    may_read_audit,
    may_route_manually,
    next_deadline,
    share,
    urgency,
)
from services.screening.nearby import (
    Place,
    bounding_box,
    haversine_m,
    is_nearby,
    normalise_road,
    place_of,
)
from services.screening.replies import (
    default_template,
    fill,
    merge_values,
    subject_of,
    unknown_fields,
)
from services.screening.security import csrf_matches, locked_until, safe_next
from services.screening.web.stats import last_months
from shared import charts
from shared.vocabulary import Decision, Language, OrderStatus, ReasonCode, Role

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


# --- nearby ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("Skovvejen mellem nr. 2 og 40", "skovvejen", id="stretch"),
        pytest.param("Skovvejen 12", "skovvejen", id="house-number"),
        pytest.param("SKOVVEJEN, ud for nr. 7", "skovvejen", id="upper-case-punctuation"),
        pytest.param("skovvejen 12B, 2. tv", "skovvejen", id="letter-and-floor"),
        pytest.param("Gl. Kongevej 5", "glkongevej", id="abbreviation"),
        pytest.param("Gl.Kongevej", "glkongevej", id="abbreviation-no-space"),
        pytest.param("H.C. Andersens Boulevard 27", "hcandersensboulevard", id="initials"),
        pytest.param("Aabenraavej", "åbenråvej", id="old-spelling"),
        pytest.param("Åbenråvej 3", "åbenråvej", id="new-spelling"),
        pytest.param("ved skolen på Skovvejen", "skolen", id="description-first"),
        pytest.param("", "", id="empty"),
        pytest.param(None, "", id="missing"),
        pytest.param("12-14", "", id="only-numbers"),
    ],
)
def test_road_names_are_compared_by_a_normalised_key(text, key) -> None:
    assert normalise_road(text) == key


def test_haversine_measures_metres_on_the_ground() -> None:
    # one minute of latitude is one nautical mile
    assert haversine_m(56.0, 10.0, 56.0 + 1 / 60, 10.0) == pytest.approx(1853, rel=0.002)
    assert haversine_m(55.676, 12.568, 55.676, 12.568) == 0


def test_the_bounding_box_holds_every_point_within_the_distance() -> None:
    lat0, lat1, lon0, lon1 = bounding_box(56.15, 10.2, 300)
    for lat, lon in ((lat0, 10.2), (lat1, 10.2), (56.15, lon0), (56.15, lon1)):
        assert haversine_m(56.15, 10.2, lat, lon) == pytest.approx(300, rel=0.01)


def _place(road: str = "skovvejen", municipality: str | None = "751", **kw) -> Place:
    return Place(
        municipality_code=municipality,
        road_key=road,
        lat=kw.get("lat"),
        lon=kw.get("lon"),
        submitted_at=kw.get("at", T0),
    )


@pytest.mark.parametrize(
    ("other", "near"),
    [
        pytest.param(_place(), True, id="same-road-same-municipality"),
        pytest.param(_place(at=T0 - timedelta(days=90)), True, id="90-days-apart"),
        pytest.param(_place(at=T0 + timedelta(days=91)), False, id="91-days-apart"),
        pytest.param(_place(municipality="730"), False, id="same-road-other-municipality"),
        pytest.param(_place(road="åboulevarden"), False, id="other-road"),
        pytest.param(_place(road=""), False, id="no-road"),
        pytest.param(_place(municipality=None), False, id="no-municipality"),
    ],
)
def test_nearness_by_road(other, near) -> None:
    assert is_nearby(_place(), other) is near


@pytest.mark.parametrize(
    ("metres_north", "near"),
    [
        pytest.param(0, True, id="same-point"),
        pytest.param(299, True, id="299m"),
        pytest.param(301, False, id="301m"),
    ],
)
def test_nearness_by_coordinates_on_any_road(metres_north, near) -> None:
    here = _place(road="vestergade", lat=56.15, lon=10.2)
    lat = 56.15 + metres_north / 111_195
    there = _place(road="nørregade", municipality="730", lat=lat, lon=10.2)
    assert is_nearby(here, there) is near


def test_coordinates_count_only_when_both_orders_have_them() -> None:
    assert not is_nearby(_place(road="a", lat=56.15, lon=10.2), _place(road="b"))


def test_the_place_of_an_order_uses_the_road_else_the_address() -> None:
    traffic = {"location": {"municipality_code": "751"}, "details": {"road": "Skovvejen 2"}}
    talk = {"location": {"municipality_code": "751", "address": "Vestergade 12"}, "details": {}}
    assert place_of(traffic, T0).road_key == "skovvejen"
    assert place_of(talk, T0).road_key == "vestergade"


# --- sign-in rules -------------------------------------------------------------------------------


def _at(*minutes: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("failures", "now_minutes", "locked_to_minute"),
    [
        pytest.param(_at(0, 1, 2, 3), 4, None, id="four-failures-open"),
        pytest.param(_at(0, 1, 2, 3, 4), 5, 19, id="fifth-failure-locks"),
        pytest.param(_at(0, 1, 2, 3, 4), 18.9, 19, id="still-locked"),
        pytest.param(_at(0, 1, 2, 3, 4), 19, None, id="open-again"),
        pytest.param(_at(0, 5, 10, 15, 20), 21, None, id="spread-out-failures-never-lock"),
        pytest.param(_at(0, 5, 10, 14, 14.5), 15, 29.5, id="five-within-the-window"),
    ],
)
def test_an_account_locks_after_repeated_failures_for_a_while(
    failures, now_minutes, locked_to_minute
) -> None:
    now = T0 + timedelta(minutes=now_minutes)
    ends = locked_until(failures, now, max_failures=5, minutes=15)
    expected = None if locked_to_minute is None else T0 + timedelta(minutes=locked_to_minute)
    assert ends == expected


def test_lock_out_can_be_switched_off() -> None:
    assert locked_until(_at(0, 0, 0), T0, max_failures=0, minutes=15) is None


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        pytest.param("abc", "abc", True, id="same"),
        pytest.param("abc", "abd", False, id="different"),
        pytest.param("abc", None, False, id="missing"),
        pytest.param("", "", False, id="both-empty"),
        pytest.param(None, None, False, id="no-session-token"),
    ],
)
def test_csrf_tokens_must_match_and_exist(expected, given, ok) -> None:
    assert csrf_matches(expected, given) is ok


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        pytest.param("/orders/1?x=2", "/orders/1?x=2", id="own-path"),
        pytest.param("//evil.example/x", "/", id="protocol-relative"),
        pytest.param("https://evil.example", "/", id="absolute"),
        pytest.param("/\\evil.example", "/", id="backslash"),
        pytest.param("", "/", id="empty"),
    ],
)
def test_after_sign_in_only_paths_on_this_site_are_followed(target, safe) -> None:
    assert safe_next(target) == safe


# --- replies -----------------------------------------------------------------------------------


def test_merge_fields_are_filled_and_other_braces_left_alone() -> None:
    text = fill(
        "Kære {navn} ({reference}) – {emne} {ukendt}",
        {"navn": "Mette", "reference": "BEB-1", "emne": "x"},
    )
    assert text == "Kære Mette (BEB-1) – x {ukendt}"
    assert unknown_fields("Hej {navn} og {nanv} og {name}") == ["name", "nanv"]


@pytest.mark.parametrize("reason", list(ReasonCode), ids=str)
@pytest.mark.parametrize("language", list(Language), ids=str)
def test_every_default_template_uses_only_known_merge_fields(reason, language) -> None:
    text = default_template(reason, language)
    # no "{navn}": the email around the text greets the citizen by name
    assert unknown_fields(text) == [] and "{navn}" not in text and "{kreds}" in text


def test_the_subject_is_told_in_the_citizens_language() -> None:
    talk = {"category": "talk", "details": {"topic": "cyber_crime"}}
    assert subject_of(talk) == "et foredrag om it-kriminalitet"
    assert subject_of(talk, Language.EN) == "a talk on it crime"
    values = merge_values(
        {"category": "traffic_control", "details": {"road": "Skovvejen"}, "requester": {}},
        "BEB-1",
        "Østjyllands Politi",
        Language.DA,
    )
    assert values == {  # no {navn}: the name is filled in by notifications, in the email
        "reference": "BEB-1",
        "emne": "en færdselskontrol på Skovvejen",
        "kreds": "Østjyllands Politi",
    }


# --- deadlines and decisions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        pytest.param(OrderStatus.ROUTED, "decision", id="routed"),
        pytest.param(OrderStatus.INFO_REQUESTED, "decision", id="waiting-for-citizen"),
        pytest.param(OrderStatus.ACCEPTED, "execution", id="accepted"),
        pytest.param(OrderStatus.SCHEDULED, "execution", id="scheduled"),
        pytest.param(OrderStatus.COMPLETED, None, id="completed"),
        pytest.param(OrderStatus.DECLINED, None, id="declined"),
    ],
)
def test_an_order_is_worked_against_its_next_deadline(status, kind) -> None:
    found = next_deadline(status, T0, T0 + timedelta(days=16))
    assert (found.kind if found else None) == kind


@pytest.mark.parametrize(
    ("days", "level"),
    [(-1, "past"), (0, "soon"), (3, "soon"), (4, "ok"), (None, "ok")],
    ids=["passed", "today", "three-days", "four-days", "unknown"],
)
def test_urgency_of_days_left(days, level) -> None:
    assert urgency(days) == level


def test_the_reason_code_says_the_decision() -> None:
    assert decision_for(ReasonCode.ACCEPTED) == Decision.ACCEPTED
    assert {decision_for(r) for r in ReasonCode if r != ReasonCode.ACCEPTED} == {Decision.DECLINED}


def test_a_share_of_nothing_is_unknown_not_zero() -> None:
    assert share(0, 0) is None and share(1, 4) == 0.25


def test_a_group_is_the_order_first_then_each_selected_once() -> None:
    assert group_of("a", ["b", "a", "c", "b"]) == ["a", "b", "c"]
    with pytest.raises(ActionRefusedError):
        group_of("a", [str(i) for i in range(60)])


@pytest.mark.parametrize(
    ("role", "district", "edit", "audit", "route"),
    [
        pytest.param(Role.OFFICER, "1461", False, False, False, id="officer"),
        pytest.param(Role.COORDINATOR, "1461", True, True, False, id="coordinator-own"),
        pytest.param(Role.COORDINATOR, "1470", False, True, False, id="coordinator-other"),
        pytest.param(Role.NATIONAL_ADMIN, "1470", True, True, True, id="admin"),
    ],
)
def test_what_each_role_may_do_beyond_orders(role, district, edit, audit, route) -> None:
    own = None if role == Role.NATIONAL_ADMIN else "1461"
    assert may_edit_templates(role, own, district) is edit
    assert may_read_audit(role) is audit
    assert may_route_manually(role) is route


# --- form fields -------------------------------------------------------------------------------

CPH = ZoneInfo("Europe/Copenhagen")


def test_local_times_are_danish_time() -> None:
    summer = forms.local_datetime("2026-06-10T09:00")
    winter = forms.local_datetime("2026-12-10 09:00")
    assert summer.astimezone(UTC).hour == 7 and winter.astimezone(UTC).hour == 8
    assert summer.tzinfo == CPH


@pytest.mark.parametrize("text", ["i morgen", "2026-13-01T09:00", "10/06/2026"], ids=str)
def test_unreadable_times_are_a_field_problem(text) -> None:
    with pytest.raises(forms.FieldProblem):
        forms.local_datetime(text)


def test_an_empty_time_is_a_problem_only_when_required() -> None:
    assert forms.local_datetime("", required=False) is None
    with pytest.raises(forms.FieldProblem):
        forms.local_datetime("")


@pytest.mark.parametrize(
    ("text", "value"), [("212", 212), (" 1.200 ", 1200), ("", None), (None, None)], ids=str
)
def test_counts_are_whole_numbers(text, value) -> None:
    assert forms.count(text) == value


@pytest.mark.parametrize("text", ["-1", "mange", "2,5", "9999999"], ids=str)
def test_bad_counts_are_a_field_problem(text) -> None:
    with pytest.raises(forms.FieldProblem):
        forms.count(text)


# --- charts and statistics ---------------------------------------------------------------------


def test_charts_are_labelled_images_with_escaped_text() -> None:
    svg = charts.bar_chart("c", "Efter <kategori>", [("A & B", 3), ("C", 0)])
    assert 'role="img"' in svg and 'aria-labelledby="c-t c-d"' in svg
    assert "Efter &lt;kategori&gt;" in svg and "A &amp; B: 3" in svg and "<script" not in svg


def test_stacked_columns_show_totals_and_a_legend() -> None:
    svg = charts.stacked_columns("m", "Pr. måned", ["jan", "feb"], [("x", [1, 2]), ("y", [3, 0])])
    assert ">4</text>" in svg and ">2</text>" in svg and ">x</text>" in svg


def test_a_share_meter_says_when_there_is_no_data() -> None:
    assert "ingen data" in charts.share_meter("s", "Afgørelser", None)
    assert "75 %" in charts.share_meter("s", "Afgørelser", 0.75)


def test_the_last_twelve_months_cross_new_year() -> None:
    months = last_months(datetime(2026, 2, 10, tzinfo=UTC), 12)
    assert months[0] == "2025-03" and months[-1] == "2026-02" and len(months) == 12
