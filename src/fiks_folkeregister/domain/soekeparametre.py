"""The search resources' query parameters, exactly as the register's spec spells them (one list for all)."""

#: Parameters of `personer/soek`, exactly as the spec spells them.
SOEK_PARAMETERS = (
    "navn",
    "kjoenn",
    "foedselsdato",
    "foedselsaarFraOgMed",
    "foedselsaarTilOgMed",
    "adressenavn",
    "husnummer",
    "postnummer",
    "kommunenummer",
    "fylkesnummer",
    "inkluderOppholdsadresse",
    "soekFonetisk",
    "inkluderDoede",
    "opplysningsgrunnlag",
    "maksTreff",
)
#: Parameters of `personer/entydigsoek` (besides `part`), exactly as the spec spells them.
ENTYDIGSOEK_PARAMETERS = (
    "identifikasjonsnummer",
    "utenlandskpersonidentifikasjon",
    "legitimasjonsdokument",
    "utlendingsmyndighetenesidentifikasjonsnummer",
    "foedselsdato",
    "navn",
    "postnummer",
    "adressenavn",
    "husnummer",
    "soekFonetisk",
    "opplysningsgrunnlag",
)
