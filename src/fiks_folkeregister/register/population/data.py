"""The population generator's data tables: shares, age bands, unit weights, countries, name locales, streets.

Pure data, tuned so a generated population looks like Norway's (see `generator.py`); the simulator takes
the same countries, destinations and source (`KILDE`) so what it adds looks alike.
"""

from __future__ import annotations

from datetime import date

KILDE = "skatteetaten"
DAYS_PER_YEAR = 365.2425
FORTROLIG_SHARE = 0.005
STRENGT_FORTROLIG_SHARE = 0.001
MAX_UNIT_SIZE = 6
EARLIEST_REFERENCE_DATE = date(1960, 1, 1)
LATEST_REFERENCE_DATE = date(2039, 12, 31)
EARLIEST_BIRTH = date(1855, 1, 1).toordinal()  # the first year with individual numbers
DUAL_CITIZENSHIP_FROM = date(2020, 1, 1).toordinal()
CHILDREN_COUNT_CUM = (0.45, 0.85, 0.97, 1.0)  # 1, 2, 3 or 4 children
MINUTES = tuple(f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
SECONDS = tuple(f"{s:02d}Z" for s in range(60))

# The authorities' open post address shown for persons with strengtFortrolig address protection.
STRENGT_FORTROLIG_POSTADRESSE = {
    "postbokseier": "SOT6 Vika",
    "postboks": "Postboks 2094 Vika",
    "poststed": {"postnummer": "0125", "poststedsnavn": "OSLO"},
}

# Age bands (from, to inclusive) with weights shaped like Norway's adult population.
AgeBands = tuple[tuple[int, int, float], ...]
ADULT_AGE_BANDS: AgeBands = (
    (18, 24, 8.5),
    (25, 34, 13.5),
    (35, 44, 11.0),
    (45, 54, 11.5),
    (55, 66, 14.0),
    (67, 74, 9.5),
    (75, 84, 6.5),
    (85, 94, 2.3),
    (95, 102, 0.25),
)
# Adults living alone or as a couple without children at home: mostly the young and the old, so that
# together with the families (parents 25-60) the whole population gets Norway's age pyramid.
SINGLE_AGE_BANDS: AgeBands = (
    (18, 24, 16.0),
    (25, 34, 19.0),
    (35, 44, 5.0),
    (45, 54, 7.0),
    (55, 66, 14.0),
    (67, 74, 10.0),
    (75, 84, 10.0),
    (85, 94, 5.0),
    (95, 102, 0.7),
)
COUPLE_AGE_BANDS: AgeBands = (
    (20, 29, 14.0),
    (30, 44, 4.0),
    (45, 54, 7.0),
    (55, 66, 20.0),
    (67, 74, 12.0),
    (75, 84, 7.0),
    (85, 94, 1.5),
)

# Kinds of family unit, with weights per unit (tuned so the age pyramid lands near Norway's).
UNIT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("single", 30.0),
    ("couple", 18.0),
    ("family", 16.5),
    ("separated", 5.0),
    ("single_parent", 1.2),
    ("widowed", 3.0),
    ("deceased", 2.5),
    ("emigrated", 2.0),
    ("dnummer", 4.5),
)
SINGLETON_UNITS: tuple[tuple[str, float], ...] = (
    ("single", 30.0),
    ("deceased", 2.5),
    ("emigrated", 2.0),
    ("dnummer", 4.5),
)

# Citizenship of immigrants with a fødselsnummer (ISO 3166 alpha-3), and of d-nummer holders.
IMMIGRANT_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("POL", 20),
    ("LTU", 8),
    ("SWE", 7),
    ("SYR", 6),
    ("UKR", 6),
    ("DEU", 5),
    ("ERI", 4),
    ("DNK", 4),
    ("SOM", 3),
    ("ROU", 3),
    ("PHL", 3),
    ("GBR", 3),
    ("IRQ", 2),
    ("AFG", 2),
    ("LVA", 2),
    ("ESP", 2),
    ("THA", 2),
    ("IND", 2),
    ("ITA", 1.5),
    ("FRA", 1.5),
    ("NLD", 1.5),
    ("USA", 1.5),
)
DNUMMER_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("POL", 25),
    ("LTU", 12),
    ("SWE", 10),
    ("ROU", 6),
    ("LVA", 5),
    ("DEU", 5),
    ("UKR", 5),
    ("ESP", 4),
    ("DNK", 4),
    ("GBR", 3),
    ("ITA", 3),
    ("FRA", 3),
    ("NLD", 2),
    ("PHL", 2),
    ("USA", 2),
    ("IND", 2),
)
NAME_LOCALES: dict[str, str] = {
    "POL": "pl_PL",
    "LTU": "lt_LT",
    "SWE": "sv_SE",
    "DEU": "de_DE",
    "DNK": "da_DK",
    "ROU": "ro_RO",
    "GBR": "en_GB",
    "LVA": "lv_LV",
    "ESP": "es_ES",
    "ITA": "it_IT",
    "FRA": "fr_FR",
    "NLD": "nl_NL",
    "USA": "en_US",
    "PHL": "fil_PH",
    "IND": "en_IN",
}
# Where emigrants went, with a place and a postal code there (free-format foreign post address).
EMIGRATION_DESTINATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("SWE", "Stockholm", "114 55", "Karlavägen"),
    ("SWE", "Göteborg", "411 38", "Kungsgatan"),
    ("DNK", "København", "2100", "Østerbrogade"),
    ("ESP", "Torrevieja", "03181", "Calle Ramón Gallud"),
    ("ESP", "Alfaz del Pi", "03580", "Calle Federico García Lorca"),
    ("GBR", "London", "SW1A 1AA", "Baker Street"),
    ("USA", "Minneapolis", "55401", "Nicollet Mall"),
    ("DEU", "Berlin", "10115", "Invalidenstraße"),
    ("AUS", "Sydney", "2000", "George Street"),
    ("POL", "Gdańsk", "80-001", "ulica Długa"),
    ("FIN", "Helsinki", "00100", "Mannerheimintie"),
    ("ISL", "Reykjavík", "101", "Laugavegur"),
)
# Generic street names found in many Norwegian towns, added to Faker's street names.
COMMON_STREETS: tuple[str, ...] = (
    "Storgata",
    "Kirkegata",
    "Kirkeveien",
    "Skolegata",
    "Skoleveien",
    "Skolevegen",
    "Jernbanegata",
    "Stasjonsveien",
    "Strandveien",
    "Strandgata",
    "Sjøgata",
    "Torggata",
    "Parkveien",
    "Fjordveien",
    "Industriveien",
    "Idrettsveien",
    "Prestegårdsveien",
    "Sentrumsvegen",
    "Kongens gate",
    "Dronningens gate",
    "Nedre Storgate",
    "Øvre Storgate",
    "Bakkegata",
    "Elvegata",
    "Havnegata",
    "Bjørkeveien",
    "Granveien",
    "Furuveien",
    "Rognveien",
    "Lønneveien",
    "Solbakken",
    "Solveien",
    "Fjellveien",
    "Åsveien",
    "Markveien",
    "Gamle Kongevei",
    "Postveien",
    "Bryggegata",
    "Tollbugata",
)
