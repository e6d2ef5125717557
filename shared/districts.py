"""Police districts and the municipality → district map: small public facts, kept as tested code."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DISTRICTS",
    "MUNICIPALITIES",
    "District",
    "Municipality",
    "danish_sort_key",
    "district",
    "district_for_municipality",
    "municipalities_sorted",
    "municipality",
]


@dataclass(frozen=True, slots=True)
class District:
    """A police district (politikreds), keyed by its DAGI/DAWA politikredskode."""

    code: str
    name: str
    short_name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality (kommune), keyed by its kommunekode without leading zeros."""

    code: str
    name: str
    district_code: str
    is_municipality: bool = True


# (code, name, short name, politi.dk slug), in DAGI/DAWA code order.
_DISTRICT_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("1460", "Nordjyllands Politi", "Nordjylland", "nordjyllands-politi"),
    ("1461", "Østjyllands Politi", "Østjylland", "oestjyllands-politi"),
    ("1462", "Midt- og Vestjyllands Politi", "Midt- og Vestjylland", "midt-og-vestjyllands-politi"),
    ("1463", "Sydøstjyllands Politi", "Sydøstjylland", "sydoestjyllands-politi"),
    (
        "1464",
        "Syd- og Sønderjyllands Politi",
        "Syd- og Sønderjylland",
        "syd-og-soenderjyllands-politi",
    ),
    ("1465", "Fyns Politi", "Fyn", "fyns-politi"),
    (
        "1466",
        "Sydsjællands og Lolland-Falsters Politi",
        "Sydsjælland og Lolland-Falster",
        "sydsjaellands-og-lolland-falsters-politi",
    ),
    (
        "1467",
        "Midt- og Vestsjællands Politi",
        "Midt- og Vestsjælland",
        "midt-og-vestsjaellands-politi",
    ),
    ("1468", "Nordsjællands Politi", "Nordsjælland", "nordsjaellands-politi"),
    ("1469", "Københavns Vestegns Politi", "Københavns Vestegn", "koebenhavns-vestegns-politi"),
    ("1470", "Københavns Politi", "København", "koebenhavns-politi"),
    ("1471", "Bornholms Politi", "Bornholm", "bornholms-politi"),
)

# District code -> (kommunekode, name) of each municipality it covers (since the 2007 reform).
_MUNICIPALITIES_BY_DISTRICT: dict[str, tuple[tuple[str, str], ...]] = {
    "1460": (
        ("810", "Brønderslev"),
        ("813", "Frederikshavn"),
        ("820", "Vesthimmerlands"),
        ("825", "Læsø"),
        ("840", "Rebild"),
        ("846", "Mariagerfjord"),
        ("849", "Jammerbugt"),
        ("851", "Aalborg"),
        ("860", "Hjørring"),
    ),
    "1461": (
        ("706", "Syddjurs"),
        ("707", "Norddjurs"),
        ("710", "Favrskov"),
        ("727", "Odder"),
        ("730", "Randers"),
        ("741", "Samsø"),
        ("751", "Aarhus"),
    ),
    "1462": (
        ("657", "Herning"),
        ("661", "Holstebro"),
        ("665", "Lemvig"),
        ("671", "Struer"),
        ("740", "Silkeborg"),
        ("756", "Ikast-Brande"),
        ("760", "Ringkøbing-Skjern"),
        ("773", "Morsø"),
        ("779", "Skive"),
        ("787", "Thisted"),
        ("791", "Viborg"),
    ),
    "1463": (
        ("530", "Billund"),
        ("607", "Fredericia"),
        ("615", "Horsens"),
        ("621", "Kolding"),
        ("630", "Vejle"),
        ("746", "Skanderborg"),
        ("766", "Hedensted"),
    ),
    "1464": (
        ("510", "Haderslev"),
        ("540", "Sønderborg"),
        ("550", "Tønder"),
        ("561", "Esbjerg"),
        ("563", "Fanø"),
        ("573", "Varde"),
        ("575", "Vejen"),
        ("580", "Aabenraa"),
    ),
    "1465": (
        ("410", "Middelfart"),
        ("420", "Assens"),
        ("430", "Faaborg-Midtfyn"),
        ("440", "Kerteminde"),
        ("450", "Nyborg"),
        ("461", "Odense"),
        ("479", "Svendborg"),
        ("480", "Nordfyns"),
        ("482", "Langeland"),
        ("492", "Ærø"),
    ),
    "1466": (
        ("320", "Faxe"),
        ("330", "Slagelse"),
        ("340", "Sorø"),
        ("360", "Lolland"),
        ("370", "Næstved"),
        ("376", "Guldborgsund"),
        ("390", "Vordingborg"),
    ),
    "1467": (
        ("253", "Greve"),
        ("259", "Køge"),
        ("265", "Roskilde"),
        ("269", "Solrød"),
        ("306", "Odsherred"),
        ("316", "Holbæk"),
        ("326", "Kalundborg"),
        ("329", "Ringsted"),
        ("336", "Stevns"),
        ("350", "Lejre"),
    ),
    "1468": (
        ("157", "Gentofte"),
        ("173", "Lyngby-Taarbæk"),
        ("190", "Furesø"),
        ("201", "Allerød"),
        ("210", "Fredensborg"),
        ("217", "Helsingør"),
        ("219", "Hillerød"),
        ("223", "Hørsholm"),
        ("230", "Rudersdal"),
        ("240", "Egedal"),
        ("250", "Frederikssund"),
        ("260", "Halsnæs"),
        ("270", "Gribskov"),
    ),
    "1469": (
        ("151", "Ballerup"),
        ("153", "Brøndby"),
        ("159", "Gladsaxe"),
        ("161", "Glostrup"),
        ("163", "Herlev"),
        ("165", "Albertslund"),
        ("167", "Hvidovre"),
        ("169", "Høje-Taastrup"),
        ("175", "Rødovre"),
        ("183", "Ishøj"),
        ("187", "Vallensbæk"),
    ),
    "1470": (
        ("101", "København"),
        ("147", "Frederiksberg"),
        ("155", "Dragør"),
        ("185", "Tårnby"),
    ),
    "1471": (("400", "Bornholm"),),
}

# Christiansø/Ertholmene is state-run, not a municipality, but DAWA gives its addresses
# kommunekode 0411, so orders from there must still route (to Bornholms Politi).
_NON_MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("411", "Christiansø", "1471", is_municipality=False),
)

DISTRICTS: dict[str, District] = {row[0]: District(*row) for row in _DISTRICT_ROWS}

MUNICIPALITIES: dict[str, Municipality] = {
    m.code: m
    for m in sorted(
        [
            Municipality(code, name, district_code)
            for district_code, rows in _MUNICIPALITIES_BY_DISTRICT.items()
            for code, name in rows
        ]
        + list(_NON_MUNICIPALITIES),
        key=lambda m: int(m.code),
    )
}

# Danish alphabetical order puts æ, ø, å (and "aa", an old spelling of å) after z: map them
# to the three characters that follow "z" in ASCII.
_DANISH_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def danish_sort_key(text: str) -> str:
    """Key that sorts text in Danish alphabetical order ("Aarhus" after "Ærø" and "Ølstykke")."""
    return text.casefold().replace("aa", "å").translate(_DANISH_LETTERS)


def _normalise_code(code: str) -> str:
    return code.strip().lstrip("0") or "0"


def district(code: str) -> District | None:
    """The district with this politikredskode ("1460"), or None."""
    return DISTRICTS.get(code.strip())


def municipality(code: str) -> Municipality | None:
    """The municipality with this kommunekode ("0101" or "101"), or None."""
    return MUNICIPALITIES.get(_normalise_code(code))


def district_for_municipality(code: str) -> District | None:
    """The district covering the municipality with this kommunekode, or None."""
    found = municipality(code)
    return DISTRICTS[found.district_code] if found else None


def municipalities_sorted() -> list[Municipality]:
    """Every municipality (and Christiansø) in Danish alphabetical order, for a dropdown."""
    return sorted(MUNICIPALITIES.values(), key=lambda m: danish_sort_key(m.name))
