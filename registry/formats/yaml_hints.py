"""Generation hints: what a value is, beyond its type (``string(email)``).

Names are Faker's provider names (https://faker.readthedocs.io/en/stable/providers.html), so a
generator can call the provider of the same name, plus JSON Schema's ``format`` names (which the
other formats put into the entity model's ``hint``), so a model converted to yaml keeps them.
docs/formats/yaml.md lists them; :data:`HINTS` is that list, with the types each one fits.
"""

from __future__ import annotations

TEXT = ("string",)
INTEGER = ("integer",)
NUMERIC = ("integer", "number", "decimal")
DATE = ("date",)
TIMESTAMP = ("timestamp",)

_FAKER_TEXT = """
    name first_name last_name prefix suffix user_name password
    email safe_email free_email company_email
    phone_number msisdn
    address street_address street_name building_number city state state_abbr postcode zipcode
    country country_code
    company company_suffix job catch_phrase bs
    url uri domain_name hostname ipv4 ipv6 mac_address user_agent slug
    iban bban swift credit_card_number credit_card_provider currency_code cryptocurrency_code
    color_name hex_color
    word sentence paragraph text
    isbn10 isbn13 ean8 ean13
    file_name file_extension file_path mime_type
    language_code locale timezone
    license_plate ssn md5 sha1 sha256 uuid4
"""
_JSON_SCHEMA_FORMATS = """
    idn-email idn-hostname uri-reference iri iri-reference uri-template
    json-pointer relative-json-pointer regex duration
"""

HINTS: dict[str, tuple[str, ...]] = {name: TEXT for name in (_FAKER_TEXT + _JSON_SCHEMA_FORMATS).split()}
HINTS.update(
    {
        "latitude": ("number", "decimal"),
        "longitude": ("number", "decimal"),
        "pyint": INTEGER,
        "random_int": INTEGER,
        "year": ("integer", "string"),
        "pydecimal": ("decimal",),
        "pyfloat": ("number",),
        "price": ("number", "decimal"),
        "date_of_birth": DATE,
        "past_date": DATE,
        "future_date": DATE,
        "date_this_year": DATE,
        "date_this_decade": DATE,
        "past_datetime": TIMESTAMP,
        "future_datetime": TIMESTAMP,
        "date_time_this_year": TIMESTAMP,
        "unix_time": ("integer", "timestamp"),
        "time": ("time", "string"),
        "date": ("date", "string"),
        "date-time": ("timestamp", "string"),
        "uuid": ("uuid", "string"),
        "image_url": TEXT,
        "binary": ("binary",),
    }
)

# Names people reach for first, and the provider that is meant: for "did you mean".
HINT_ALIASES = {
    "phone": "phone_number", "telephone": "phone_number", "mobile": "phone_number",
    "person_name": "name", "full_name": "name", "fullname": "name", "firstname": "first_name",
    "lastname": "last_name", "surname": "last_name", "username": "user_name", "login": "user_name",
    "zip": "postcode", "postal_code": "postcode", "street": "street_address", "ip": "ipv4",
    "ip_address": "ipv4", "website": "url", "link": "url", "domain": "domain_name", "mail": "email",
    "e-mail": "email", "company_name": "company", "organisation": "company", "organization": "company",
    "currency": "currency_code", "colour": "color_name", "color": "color_name", "description": "paragraph",
    "title": "sentence", "birthday": "date_of_birth", "birth_date": "date_of_birth", "dob": "date_of_birth",
    "lat": "latitude", "lng": "longitude", "lon": "longitude", "credit_card": "credit_card_number",
}  # fmt: skip
