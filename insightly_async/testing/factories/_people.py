"""Vocabulary of people, companies and places: who the generated records are about.

Nothing here but data, and the slugs that turn names into e-mail and web addresses. The
lists are small and hand-picked, so the records look like a small business's CRM without
a third-party generator.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "COMPANY_ENDINGS",
    "COMPANY_HEADS",
    "COMPANY_KINDS",
    "COMPANY_TAILS",
    "FEMALE",
    "FIRST",
    "FIRST_SLUGS",
    "FREE_MAIL",
    "LAST",
    "LAST_SLUGS",
    "LETTERS",
    "MALE",
    "PLACES",
    "SALUTATIONS_F",
    "SALUTATIONS_M",
    "STREETS_DE",
    "STREETS_EN",
    "STREETS_FR",
    "STREETS_NL",
    "STREET_KINDS_EN",
    "TLDS",
    "Place",
    "ascii_slug",
    "url_slug",
]

FEMALE: Final = (
    "Pamela", "Katherine", "Henrietta", "Olivia", "Emma", "Sophia", "Ava", "Isabella",
    "Mia", "Charlotte", "Amelia", "Harper", "Evelyn", "Abigail", "Emily", "Ella", "Grace",
    "Chloe", "Zoë", "Hannah", "Lily", "Aisha", "Priya", "Mei", "Yuki", "Fatima", "Sofia",
    "Lucía", "Ingrid", "Freya", "Niamh", "Siobhan", "Claire", "Rachel", "Laura", "Sarah",
    "Jessica", "Megan", "Naomi", "Ruth", "Deborah", "Alice", "Beatrice", "Margaret",
    "Helen", "Diane", "Karen", "Angela", "Teresa", "Monica",
)  # fmt: skip
MALE: Final = (
    "Fred", "Miquel", "James", "Oliver", "William", "Henry", "Lucas", "Benjamin",
    "Theodore", "Jack", "Samuel", "Daniel", "Matthew", "David", "Joseph", "Michael",
    "Thomas", "Andrew", "Ryan", "Nathan", "Ethan", "Liam", "Noah", "Arjun", "Wei",
    "Hiroshi", "Omar", "Mateo", "José", "Lars", "Sven", "Connor", "Sean", "Patrick",
    "George", "Edward", "Robert", "Richard", "Paul", "Mark", "Peter", "Simon", "Kevin",
    "Brian", "Gareth", "Rhys", "Tariq", "Kwame", "Diego", "Marco",
)  # fmt: skip
LAST: Final = (
    "Huber", "Nguyen", "Anthony", "Everett", "Sloan", "Smith", "Johnson", "Williams",
    "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
    "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Patel", "Shah", "Singh", "Kumar", "Chen", "Wang",
    "Li", "Zhang", "Liu", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Choi", "Müller",
    "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Laurent", "Moreau", "Rossi",
    "Russo", "Bianchi", "Jansen", "de Vries", "van Dijk", "Bakker", "Johansson",
    "Lindqvist", "Nielsen", "Hansen", "O'Brien", "O'Connor", "Murphy", "Kelly", "Byrne",
    "Walsh", "MacDonald", "Fraser", "Stewart", "Evans", "Hughes", "Morgan", "Price",
    "Okafor", "Mensah", "Mwangi", "Haddad", "Khalil", "Cohen", "Levi", "Novak",
    "Kowalski", "Nowak", "Horvat", "Silva", "Santos", "Oliveira", "Costa", "Pereira",
)  # fmt: skip
# (first name, is female) pairs, so a salutation can agree with the name.
FIRST: Final = tuple((name, True) for name in FEMALE) + tuple((name, False) for name in MALE)
SALUTATIONS_F: Final = ("Ms", "Ms", "Ms", "Mrs", "Dr")
SALUTATIONS_M: Final = ("Mr", "Mr", "Mr", "Mr", "Dr")

COMPANY_HEADS: Final = (
    "North", "South", "East", "West", "Blue", "Red", "Green", "Silver", "Golden", "Iron",
    "Stone", "River", "Lake", "Summit", "Pioneer", "Harbor", "Bright", "Clear", "Swift",
    "True", "Evergreen", "Cedar", "Maple", "Oak", "Pine", "Granite", "Crystal", "Sun",
    "Star", "Bay",
)  # fmt: skip
COMPANY_TAILS: Final = (
    "wind", "field", "bridge", "stone", "point", "ridge", "view", "gate", "crest", "wood",
    "brook", "light", "line", "path", "peak", "water", "works", "way", "side", "dale",
)  # fmt: skip
COMPANY_KINDS: Final = (
    "Logistics", "Analytics", "Foods", "Consulting", "Systems", "Health", "Energy",
    "Software", "Media", "Labs", "Partners", "Capital", "Builders", "Design", "Supply",
    "Networks", "Robotics", "Dental", "Realty", "Outfitters", "Marketing", "Engineering",
    "Solar", "Pharma", "Coffee Roasters", "Interiors", "Legal", "Travel", "Fitness",
    "Education",
)  # fmt: skip
COMPANY_ENDINGS: Final = ("", "", "", "", " Inc.", " LLC", " Ltd", " Group", " & Co.")
TLDS: Final = (".com", ".com", ".com", ".com", ".net", ".io", ".co.uk", ".com.au", ".de")
FREE_MAIL: Final = (
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "mail.com", "hotmail.com",
    "proton.me",
)  # fmt: skip

# A place: city, state, country, postcode style, postcode seed, phone style, area code,
# street style.
Place = tuple[str, str, str, str, str, str, str, str]
PLACES: Final[tuple[Place, ...]] = (
    ("New York", "NY", "United States", "us", "100", "nanp", "212", "en"),
    ("Austin", "TX", "United States", "us", "787", "nanp", "512", "en"),
    ("Denver", "CO", "United States", "us", "802", "nanp", "303", "en"),
    ("Seattle", "WA", "United States", "us", "981", "nanp", "206", "en"),
    ("Chicago", "IL", "United States", "us", "606", "nanp", "312", "en"),
    ("Boston", "MA", "United States", "us", "021", "nanp", "617", "en"),
    ("Atlanta", "GA", "United States", "us", "303", "nanp", "404", "en"),
    ("San Diego", "CA", "United States", "us", "921", "nanp", "619", "en"),
    ("San Francisco", "CA", "United States", "us", "941", "nanp", "415", "en"),
    ("Portland", "OR", "United States", "us", "972", "nanp", "503", "en"),
    ("Phoenix", "AZ", "United States", "us", "850", "nanp", "602", "en"),
    ("Columbus", "OH", "United States", "us", "432", "nanp", "614", "en"),
    ("Cincinnati", "OH", "United States", "us", "452", "nanp", "513", "en"),
    ("Nashville", "TN", "United States", "us", "372", "nanp", "615", "en"),
    ("Minneapolis", "MN", "United States", "us", "554", "nanp", "612", "en"),
    ("Raleigh", "NC", "United States", "us", "276", "nanp", "919", "en"),
    ("Miami", "FL", "United States", "us", "331", "nanp", "305", "en"),
    ("Salt Lake City", "UT", "United States", "us", "841", "nanp", "801", "en"),
    ("Pittsburgh", "PA", "United States", "us", "152", "nanp", "412", "en"),
    ("Toronto", "ON", "Canada", "ca", "M", "nanp", "416", "en"),
    ("Ottawa", "ON", "Canada", "ca", "K", "nanp", "613", "en"),
    ("Vancouver", "BC", "Canada", "ca", "V", "nanp", "604", "en"),
    ("Calgary", "AB", "Canada", "ca", "T", "nanp", "403", "en"),
    ("London", "England", "United Kingdom", "uk", "EC", "uk", "20", "en"),
    ("Manchester", "England", "United Kingdom", "uk", "M", "uk", "161", "en"),
    ("Bristol", "England", "United Kingdom", "uk", "BS", "uk", "117", "en"),
    ("Edinburgh", "Scotland", "United Kingdom", "uk", "EH", "uk", "131", "en"),
    ("Cardiff", "Wales", "United Kingdom", "uk", "CF", "uk", "29", "en"),
    ("Dublin", "Dublin", "Ireland", "ie", "D", "ie", "1", "en"),
    ("Sydney", "NSW", "Australia", "au", "20", "au", "2", "en"),
    ("Melbourne", "VIC", "Australia", "au", "30", "au", "3", "en"),
    ("Brisbane", "QLD", "Australia", "au", "40", "au", "7", "en"),
    ("Perth", "WA", "Australia", "au", "60", "au", "8", "en"),
    ("Auckland", "Auckland", "New Zealand", "au", "10", "nz", "9", "en"),
    ("Berlin", "Berlin", "Germany", "d5", "10", "de", "30", "de"),
    ("Munich", "Bavaria", "Germany", "d5", "80", "de", "89", "de"),
    ("Hamburg", "Hamburg", "Germany", "d5", "20", "de", "40", "de"),
    ("Paris", "Île-de-France", "France", "d5", "75", "fr", "1", "fr"),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "d5", "69", "fr", "4", "fr"),
    ("Amsterdam", "North Holland", "Netherlands", "nl", "10", "nl", "20", "nl"),
)
STREETS_EN: Final = (
    "Main", "Oak", "Maple", "Cedar", "Elm", "Park", "Washington", "Lake", "Hill",
    "Church", "High", "Station", "Mill", "King", "Queen", "Victoria", "Market", "Bridge",
    "River", "Harbour", "Sunset", "Pine", "Willow", "Chestnut", "Spring",
)  # fmt: skip
STREET_KINDS_EN: Final = ("Street", "Avenue", "Road", "Lane", "Drive", "Way", "Boulevard")
STREETS_DE: Final = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Lindenallee",
    "Bergstraße", "Friedrichstraße", "Marktplatz",
)  # fmt: skip
STREETS_FR: Final = (
    "rue de la Paix", "avenue Victor Hugo", "rue du Commerce", "boulevard Voltaire",
    "rue de la République", "place Bellecour", "rue Lafayette",
)  # fmt: skip
STREETS_NL: Final = ("Herengracht", "Keizersgracht", "Damrak", "Prinsengracht", "Kalverstraat")
LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


FIRST_SLUGS: Final = {name: ascii_slug(name) for name, _female in FIRST}
LAST_SLUGS: Final = {name: ascii_slug(name) for name in LAST}


def url_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
