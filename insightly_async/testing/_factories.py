"""Realistic, reproducible Insightly v3.1 records: the emulator's data and test fixtures.

:class:`RecordFactory` builds records shaped like the real API's: every property of the
type's Swagger schema in schema order (``null`` where unset), the keys real records carry
beyond the schema (``VISIBLE_TO``, ``VISIBLE_TEAM_ID``, ``LINKS`` on leads) where the
recorded responses put them, body dates as ``yyyy-MM-dd HH:mm:ss`` UTC, and
``CUSTOMFIELDS`` that follow :meth:`RecordFactory.custom_field_definitions`.

Values come from small built-in vocabularies (names, companies, places, phrases), so the
data looks like a small business's CRM without any third-party generator. Everything is
derived from the seed: the same seed, ``now`` and calls give the same records.

Each record type gets a *plan* once: a template dict in wire order holding the default of
every key, plus a list of ``(wire name, probability, generator)`` entries and a few
grouped entries for fields that must agree with each other (an opportunity's state, value
and close dates). Making a record copies the template and runs the entries, so the cost
per record is a few microseconds per populated field and nothing for the null ones.
"""

from __future__ import annotations

import copy
import functools
import itertools
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any, Final

from insightly_async._facts.catalog import BY_NAME, RecordType, custom_object_type
from insightly_async._facts.spec import definition, entity_schema
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME

__all__ = [
    "RecordFactory",
    "format_date",
    "format_datetime",
    "record_keys",
]

Record = dict[str, Any]
Refs = Mapping[str, Sequence[int]]
Gen = Callable[["_Row"], Any]
GroupGen = Callable[["_Row"], Sequence[Any]]

_UTC = timezone.utc
_DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Generated sub-collection items (LINK_ID, DATE_ID, EMAIL_DOMAIN_ID, team PERMISSION_ID of
# generated records) get ids from one counter per factory that starts here: below the
# range the emulator's store hands out for items added through the API (912 million up),
# so the two never collide.
_SUB_ID_START: Final = 600_000_001

# Records are created within this window before `now` (two years, like a young account).
_HISTORY_SECONDS: Final = 2 * 365 * _DAY


# === dates ==============================================================================


def format_datetime(moment: datetime) -> str:
    """``moment`` as a body date, ``yyyy-MM-dd HH:mm:ss`` in UTC (a naive value is UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(_UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def format_date(day: date) -> str:
    """A date-only field's value: ``yyyy-MM-dd 00:00:00`` (the API's layout for dates).

    A :class:`datetime` is cut to its UTC date.
    """
    if isinstance(day, datetime):
        if day.tzinfo is not None:
            day = day.astimezone(_UTC)
        day = day.date()
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d} 00:00:00"


@functools.cache
def _times_of_day() -> tuple[str, ...]:
    # " HH:MM:SS" for every second of a day: indexing beats strftime by an order of
    # magnitude, and the table is built once per process.
    return tuple(
        f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
    )


class _Calendar:
    """Formats epoch seconds as body dates, from tables around ``now``."""

    def __init__(self, now: int) -> None:
        self.now = now
        today = now // _DAY
        # Ten years back (birthdays aside, nothing is older) and five ahead (due dates).
        self._first = today - 3_650
        days = [
            date.fromordinal(_EPOCH_ORDINAL + d).isoformat()
            for d in range(self._first, today + 1_826)
        ]
        self._days = days
        self._count = len(days)
        self._times = _times_of_day()

    def stamp(self, ts: int) -> str:
        """``yyyy-MM-dd HH:mm:ss`` of epoch second ``ts``."""
        index = ts // _DAY - self._first
        if 0 <= index < self._count:
            return self._days[index] + self._times[ts % _DAY]
        return format_datetime(datetime.fromtimestamp(ts, _UTC))

    def day(self, ts: int) -> str:
        """``yyyy-MM-dd 00:00:00`` of the day of epoch second ``ts``."""
        index = ts // _DAY - self._first
        if 0 <= index < self._count:
            return self._days[index] + " 00:00:00"
        return format_date(datetime.fromtimestamp(ts, _UTC))


# === vocabularies =======================================================================

_FEMALE: Final = (
    "Pamela", "Katherine", "Henrietta", "Olivia", "Emma", "Sophia", "Ava", "Isabella",
    "Mia", "Charlotte", "Amelia", "Harper", "Evelyn", "Abigail", "Emily", "Ella", "Grace",
    "Chloe", "Zoë", "Hannah", "Lily", "Aisha", "Priya", "Mei", "Yuki", "Fatima", "Sofia",
    "Lucía", "Ingrid", "Freya", "Niamh", "Siobhan", "Claire", "Rachel", "Laura", "Sarah",
    "Jessica", "Megan", "Naomi", "Ruth", "Deborah", "Alice", "Beatrice", "Margaret",
    "Helen", "Diane", "Karen", "Angela", "Teresa", "Monica",
)  # fmt: skip
_MALE: Final = (
    "Fred", "Miquel", "James", "Oliver", "William", "Henry", "Lucas", "Benjamin",
    "Theodore", "Jack", "Samuel", "Daniel", "Matthew", "David", "Joseph", "Michael",
    "Thomas", "Andrew", "Ryan", "Nathan", "Ethan", "Liam", "Noah", "Arjun", "Wei",
    "Hiroshi", "Omar", "Mateo", "José", "Lars", "Sven", "Connor", "Sean", "Patrick",
    "George", "Edward", "Robert", "Richard", "Paul", "Mark", "Peter", "Simon", "Kevin",
    "Brian", "Gareth", "Rhys", "Tariq", "Kwame", "Diego", "Marco",
)  # fmt: skip
_LAST: Final = (
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
_FIRST: Final = tuple((name, True) for name in _FEMALE) + tuple((name, False) for name in _MALE)
_SALUTATIONS_F: Final = ("Ms", "Ms", "Ms", "Mrs", "Dr")
_SALUTATIONS_M: Final = ("Mr", "Mr", "Mr", "Mr", "Dr")

_COMPANY_HEADS: Final = (
    "North", "South", "East", "West", "Blue", "Red", "Green", "Silver", "Golden", "Iron",
    "Stone", "River", "Lake", "Summit", "Pioneer", "Harbor", "Bright", "Clear", "Swift",
    "True", "Evergreen", "Cedar", "Maple", "Oak", "Pine", "Granite", "Crystal", "Sun",
    "Star", "Bay",
)  # fmt: skip
_COMPANY_TAILS: Final = (
    "wind", "field", "bridge", "stone", "point", "ridge", "view", "gate", "crest", "wood",
    "brook", "light", "line", "path", "peak", "water", "works", "way", "side", "dale",
)  # fmt: skip
_COMPANY_KINDS: Final = (
    "Logistics", "Analytics", "Foods", "Consulting", "Systems", "Health", "Energy",
    "Software", "Media", "Labs", "Partners", "Capital", "Builders", "Design", "Supply",
    "Networks", "Robotics", "Dental", "Realty", "Outfitters", "Marketing", "Engineering",
    "Solar", "Pharma", "Coffee Roasters", "Interiors", "Legal", "Travel", "Fitness",
    "Education",
)  # fmt: skip
_COMPANY_ENDINGS: Final = ("", "", "", "", " Inc.", " LLC", " Ltd", " Group", " & Co.")
_TLDS: Final = (".com", ".com", ".com", ".com", ".net", ".io", ".co.uk", ".com.au", ".de")
_FREE_MAIL: Final = (
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "mail.com", "hotmail.com",
    "proton.me",
)  # fmt: skip

_JOB_TITLES: Final = (
    "CEO", "CFO", "CTO", "COO", "Founder", "Owner", "Managing Director", "General Manager",
    "VP of Sales", "VP Marketing", "Head of Operations", "Sales Manager",
    "Account Executive", "Account Manager", "Marketing Manager", "Office Manager",
    "Operations Manager", "Project Manager", "Product Manager", "Software Engineer",
    "IT Manager", "IT Director", "Procurement Manager", "Purchasing Agent", "HR Manager",
    "Finance Director", "Controller", "Customer Success Manager",
    "Business Development Manager", "Administrative Assistant", "Consultant", "Partner",
    "Director of Engineering", "Facilities Manager", "Chief Revenue Officer",
)  # fmt: skip
_INDUSTRIES: Final = (
    "Software", "Manufacturing", "Retail", "Healthcare", "Financial Services", "Education",
    "Construction", "Hospitality", "Logistics", "Real Estate", "Non-profit", "Agriculture",
    "Media", "Telecommunications", "Energy", "Legal Services", "Consulting", "Automotive",
)  # fmt: skip
_SENTENCES: Final = (
    "Met at the regional trade show and asked for a follow-up call.",
    "Interested in the annual plan with premium support.",
    "Prefers email over phone; usually replies within a day.",
    "Currently evaluating two other vendors.",
    "Budget approval expected next quarter.",
    "Referred by an existing customer.",
    "Asked for a product demo for the operations team.",
    "Key decision maker for software purchases.",
    "Needs integration with their accounting system.",
    "Contract renewal is due in the autumn.",
    "Sent the pricing sheet and a case study.",
    "Requested a revised quote with volume discounts.",
    "Left a voicemail; will try again on Monday.",
    "Very happy with the onboarding so far.",
    "Concerned about the migration timeline.",
    "Wants to expand the rollout to the European offices.",
    "Follow up after the board meeting.",
    "Downloaded the whitepaper from the website.",
    "Attended the spring webinar on automation.",
    "Procurement requires three competing quotes.",
    "Legal is reviewing the master services agreement.",
    "Pilot project with ten users starts next month.",
    "Main contact for billing questions.",
    "Travelling until the end of the month.",
    "Looking to replace a legacy spreadsheet process.",
    "Expressed interest in the training package.",
    "Will introduce us to the IT director.",
    "Team is growing quickly and needs more seats.",
    "Asked about data residency and security certifications.",
    "Signed the NDA; technical deep dive scheduled.",
    "Price is the main objection at this stage.",
    "Long-standing customer since the first release.",
    "Prefers meetings in the morning, Pacific time.",
    "Has budget for a second phase later this year.",
    "Shared feedback on the mobile app.",
)
_TAGS: Final = (
    "Paris", "Washington", "Warsaw", "Ottawa", "London", "Berlin", "Sydney", "Toronto",
    "Austin", "Dublin", "VIP", "Newsletter", "Partner", "Referral", "Trade Show 2024",
    "Webinar", "Enterprise", "SMB", "Hot Lead", "Renewal", "Key Account", "Do Not Call",
    "Reseller", "Beta Tester", "Event Attendee",
)  # fmt: skip

# A place: city, state, country, postcode style, postcode seed, phone style, area code,
# street style.
_Place = tuple[str, str, str, str, str, str, str, str]
_PLACES: Final[tuple[_Place, ...]] = (
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
_STREETS_EN: Final = (
    "Main", "Oak", "Maple", "Cedar", "Elm", "Park", "Washington", "Lake", "Hill",
    "Church", "High", "Station", "Mill", "King", "Queen", "Victoria", "Market", "Bridge",
    "River", "Harbour", "Sunset", "Pine", "Willow", "Chestnut", "Spring",
)  # fmt: skip
_STREET_KINDS_EN: Final = ("Street", "Avenue", "Road", "Lane", "Drive", "Way", "Boulevard")
_STREETS_DE: Final = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Lindenallee",
    "Bergstraße", "Friedrichstraße", "Marktplatz",
)  # fmt: skip
_STREETS_FR: Final = (
    "rue de la Paix", "avenue Victor Hugo", "rue du Commerce", "boulevard Voltaire",
    "rue de la République", "place Bellecour", "rue Lafayette",
)  # fmt: skip
_STREETS_NL: Final = ("Herengracht", "Keizersgracht", "Damrak", "Prinsengracht", "Kalverstraat")
_LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"

_COUNTRIES: Final = (
    "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile", "China",
    "Denmark", "Finland", "France", "Germany", "Greece", "Hong Kong", "India", "Ireland",
    "Israel", "Italy", "Japan", "Kenya", "Mexico", "Netherlands", "New Zealand", "Nigeria",
    "Norway", "Poland", "Portugal", "Singapore", "South Africa", "South Korea", "Spain",
    "Sweden", "Switzerland", "United Arab Emirates", "United Kingdom", "United States",
)  # fmt: skip
_CURRENCIES: Final = (
    ("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("AUD", "$"), ("CAD", "$"), ("NZD", "$"),
    ("JPY", "¥"), ("CHF", "CHF"), ("SEK", "kr"), ("INR", "₹"), ("SGD", "$"), ("ZAR", "R"),
)  # fmt: skip
_BID_CURRENCIES: Final = ("USD", "USD", "USD", "USD", "USD", "USD", "EUR", "GBP", "AUD", "CAD")
_TIMEZONES: Final = (
    "Eastern Standard Time", "Pacific Standard Time", "Central Standard Time",
    "GMT Standard Time", "AUS Eastern Standard Time", "W. Europe Standard Time",
)  # fmt: skip

_OPPORTUNITY_DEALS: Final = (
    "50 seat license", "Annual renewal", "Professional services", "Support upgrade",
    "Enterprise plan", "Pilot", "Expansion", "Hardware refresh", "Consulting package",
    "Training bundle", "Multi-year agreement", "Add-on modules",
)  # fmt: skip
_PROJECT_KINDS: Final = (
    "Website redesign", "CRM rollout", "Office relocation", "Onboarding", "Data migration",
    "Annual audit", "Marketing campaign", "ERP integration", "Training programme",
    "Network upgrade", "Mobile app launch", "Support retainer",
)  # fmt: skip
_TASK_TITLES: Final = (
    "Follow up on proposal", "Send contract for signature", "Schedule product demo",
    "Prepare quarterly review", "Call to discuss renewal", "Email pricing sheet",
    "Update account details", "Book onsite visit", "Review support tickets",
    "Chase overdue invoice", "Send welcome pack", "Confirm meeting agenda",
    "Draft statement of work", "Collect requirements", "Check in after onboarding",
)  # fmt: skip
_EVENT_TITLES: Final = (
    "Product demo", "Quarterly business review", "Discovery call", "Kickoff meeting",
    "Lunch meeting", "Contract negotiation", "Training session", "Site visit", "Webinar",
    "Team sync", "Conference booth", "Renewal discussion",
)  # fmt: skip
_EVENT_PLACES: Final = (
    "Zoom", "Microsoft Teams", "Google Meet", "Phone", "Head office", "Client site",
    "Conference room 2",
)  # fmt: skip
_NOTE_TITLES: Final = (
    "Call notes", "Meeting summary", "Requirements", "Pricing discussion", "Feedback",
    "Next steps", "Internal notes", "Onboarding notes", "Support escalation",
    "Contract terms",
)  # fmt: skip
_EMAIL_SUBJECTS: Final = (
    "Re: Proposal", "Meeting follow-up", "Re: Pricing question", "Your demo recording",
    "Welcome aboard", "Re: Contract renewal", "Agenda for Thursday",
    "Fwd: Requirements document", "Thanks for your time today",
    "Quick question about your order", "Invoice attached", "Re: Support case update",
)  # fmt: skip
_MILESTONE_TITLES: Final = (
    "Kickoff complete", "Requirements signed off", "Design approved", "Build complete",
    "User acceptance testing", "Go-live", "Training delivered", "Project closed",
)  # fmt: skip
_PRODUCTS: Final = (
    ("Software", "SW", "Starter Plan", 29.0),
    ("Software", "SW", "Professional Plan", 79.0),
    ("Software", "SW", "Enterprise Plan", 199.0),
    ("Software", "SW", "Analytics Add-on", 49.0),
    ("Software", "SW", "API Access", 99.0),
    ("Software", "SW", "Extra Storage 100 GB", 15.0),
    ("Hardware", "HW", "Barcode Scanner", 249.0),
    ("Hardware", "HW", "Receipt Printer", 189.0),
    ("Hardware", "HW", "Card Reader", 79.0),
    ("Hardware", "HW", "Docking Station", 159.0),
    ("Services", "SV", "Onboarding Package", 1500.0),
    ("Services", "SV", "Data Migration", 2500.0),
    ("Services", "SV", "Custom Integration", 4800.0),
    ("Services", "SV", "Consulting Hour", 175.0),
    ("Training", "TR", "Training Day", 1200.0),
    ("Support", "SP", "Standard Support", 500.0),
    ("Support", "SP", "Premium Support", 1500.0),
)
_PRODUCT_VARIANTS: Final = ("", "", "", " - Annual", " - Monthly", " (EU)", " v2", " Bundle")
_PRICE_BOOKS: Final = (
    "Standard Price Book", "Partner Price List", "EU Price List", "Non-profit Discount",
    "Wholesale 2025", "Government Pricing", "Reseller Tier 2",
)  # fmt: skip
_TICKET_SUBJECTS: Final = (
    "Cannot log in", "Invoice shows the wrong amount", "Feature request: export to CSV",
    "Sync error with calendar", "Password reset email not received",
    "Reports are slow to load", "How do I add a new user?", "Mobile app crashes on launch",
    "Question about my subscription", "Integration stopped working",
)  # fmt: skip
_ARTICLE_TITLES: Final = (
    "Getting started with your account", "How to reset your password",
    "Importing contacts from a spreadsheet", "Setting up email integration",
    "Understanding user permissions", "Troubleshooting sync errors",
    "Managing your subscription", "Exporting your data",
    "Configuring two-factor authentication", "Using custom fields",
)  # fmt: skip
_NAME_ADJECTIVES: Final = (
    "Amber", "Crimson", "Golden", "Silver", "Emerald", "Misty", "Sunny", "Quiet", "Bold",
    "Rapid", "Gentle", "Northern", "Royal", "Wild", "Bright",
)  # fmt: skip
_NAME_NOUNS: Final = (
    "Orchard", "Harbor", "Falcon", "Meadow", "Summit", "River", "Canyon", "Maple",
    "Comet", "Willow", "Beacon", "Lantern", "Prairie", "Cedar", "Delta",
)  # fmt: skip
_COLOURS: Final = ("Red", "Green", "Yellow", "Orange", "Purple", "Blue", "Pink", "Brown")
_LINK_ROLES: Final = (
    "Decision Maker", "Champion", "Technical Contact", "Billing Contact", "Influencer",
    "Employee", None, None,
)  # fmt: skip
_OCCASIONS: Final = ("Anniversary", "Birthday", "Contract renewal", "Founded", "First order")

_OPPORTUNITY_STATES: Final = ("OPEN", "WON", "LOST", "ABANDONED", "SUSPENDED")
# Cumulative weights of the states above: most deals are open, a fifth won.
_STATE_WEIGHTS: Final = (0.55, 0.75, 0.90, 0.95, 1.0)
_BID_TYPES: Final = ("Per Hour", "Per Day", "Per Week", "Per Month", "Per Year")


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


_FIRST_SLUGS: Final = {name: _ascii_slug(name) for name, _female in _FIRST}
_LAST_SLUGS: Final = {name: _ascii_slug(name) for name in _LAST}


def _url_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


# === record layouts =====================================================================

# Types whose real records carry VISIBLE_TO / VISIBLE_TEAM_ID although the Swagger
# schemas lack them (recorded contacts, leads and custom-object records; assumed the same
# for organisations, opportunities and projects).
_OWNED: Final = frozenset({"contacts", "organisations", "leads", "opportunities", "projects"})

# The key order of a custom-object record, as recorded (the Swagger's generic schema lacks
# DATE_UPDATED_UTC and CREATED_USER_ID).
_CUSTOM_OBJECT_KEYS: Final = (
    "RECORD_ID",
    "RECORD_NAME",
    "OWNER_USER_ID",
    "DATE_CREATED_UTC",
    "DATE_UPDATED_UTC",
    "CREATED_USER_ID",
    "VISIBLE_TO",
    "VISIBLE_TEAM_ID",
    "CUSTOMFIELDS",
)


def _insert_after(keys: list[str], anchor: str, *new: str) -> None:
    index = keys.index(anchor) + 1 if anchor in keys else len(keys)
    keys[index:index] = new


def record_keys(rtype: RecordType) -> tuple[str, ...]:
    """The keys of a ``rtype`` record in the order the real API sends them.

    Schema order, plus the keys real records carry beyond the schema: contacts,
    organisations, opportunities and projects put ``VISIBLE_TO`` before and
    ``VISIBLE_TEAM_ID`` after ``OWNER_USER_ID``; leads put both after
    ``NEXT_ACTIVITY_DATE_UTC`` and ``LINKS`` after ``TAGS``; custom-object records follow
    the recorded ``Fruit__c`` records.
    """
    if rtype.custom_object:
        return _CUSTOM_OBJECT_KEYS
    return _layout(rtype.name)


@functools.cache
def _layout(type_name: str) -> tuple[str, ...]:
    rtype = BY_NAME[type_name]
    keys = list(entity_schema(rtype.path)["properties"])
    if type_name == "leads":
        _insert_after(keys, "NEXT_ACTIVITY_DATE_UTC", "VISIBLE_TO", "VISIBLE_TEAM_ID")
        _insert_after(keys, "TAGS", "LINKS")
    elif type_name in _OWNED:
        keys.insert(keys.index("OWNER_USER_ID"), "VISIBLE_TO")
        _insert_after(keys, "OWNER_USER_ID", "VISIBLE_TEAM_ID")
    return tuple(keys)


def _properties(rtype: RecordType) -> dict[str, dict[str, Any]]:
    if rtype.custom_object:
        return {}
    props: dict[str, dict[str, Any]] = entity_schema(rtype.path)["properties"]
    return props


def _ordered(keys: Sequence[str], values: Mapping[str, Any]) -> Record:
    # Builds a record in wire order and fails loudly if the hand-written values and the
    # schema disagree, so a spec change cannot slip through as a silently missing key.
    if set(values) != set(keys):
        raise AssertionError(f"keys differ from the layout: {sorted(set(values) ^ set(keys))}")
    return {key: values[key] for key in keys}


# === custom field definitions ===========================================================

# One custom field: name, label, FIELD_TYPE, and its options (DROPDOWN, MULTISELECT, in the
# order they were created) or the words its values are drawn from (TEXT).
_FieldSpec = tuple[str, str, str, tuple[str, ...]]

_FIELD_TYPES: Final = (
    "TEXT", "MULTISELECT", "BIT", "DROPDOWN", "DATE", "DATETIME", "MULTILINETEXT",
    "NUMERIC", "PERCENT", "AUTONUMBER",
)  # fmt: skip

# The contact fields are the recorded account's own (tests/samples), option ids included.
_CUSTOM_FIELDS: Final[Mapping[str, tuple[_FieldSpec, ...]]] = {
    "Contacts": (
        (
            "Hobby__c",
            "Hobby",
            "TEXT",
            ("Skiing", "Reading", "Cycling", "Chess", "Photography", "Gardening", "Running"),
        ),
        (
            "Interests__c",
            "Interests",
            "MULTISELECT",
            ("Technology", "Sports", "Art", "Travel", "Music", "Food"),
        ),
        ("Newsletter_Subscription__c", "Newsletter Subscription", "BIT", ()),
        (
            "Preferred_Contact_Method__c",
            "Preferred Contact Method",
            "DROPDOWN",
            ("Email", "Phone", "SMS", "WhatsApp"),
        ),
        ("Date1__c", "Date1", "DATE", ()),
        ("Date2__c", "Date2", "DATETIME", ()),
        ("MultiText1__c", "MultiText1", "MULTILINETEXT", ()),
        ("Number1__c", "Number1", "NUMERIC", ()),
        ("Percent1__c", "Percent1", "PERCENT", ()),
        ("AutoNumber1__c", "AutoNumber1", "AUTONUMBER", ()),
    ),
    "Organisations": (
        ("Account_Region__c", "Account Region", "TEXT", ("North America", "EMEA", "APAC", "LATAM")),
        (
            "Services_Used__c",
            "Services Used",
            "MULTISELECT",
            ("Consulting", "Support", "Training", "Hosting", "Licensing"),
        ),
        ("Key_Account__c", "Key Account", "BIT", ()),
        ("Tier__c", "Tier", "DROPDOWN", ("Gold", "Silver", "Bronze")),
        ("Customer_Since__c", "Customer Since", "DATE", ()),
        ("Last_Review__c", "Last Review", "DATETIME", ()),
        ("Account_Notes__c", "Account Notes", "MULTILINETEXT", ()),
        ("Annual_Revenue__c", "Annual Revenue", "NUMERIC", ()),
        ("Discount_Rate__c", "Discount Rate", "PERCENT", ()),
        ("Account_Number__c", "Account Number", "AUTONUMBER", ()),
    ),
    "Leads": (
        (
            "Campaign__c",
            "Campaign",
            "TEXT",
            ("Spring Webinar", "Trade Show", "Newsletter", "Partner Referral", "Google Ads"),
        ),
        (
            "Products_Of_Interest__c",
            "Products of Interest",
            "MULTISELECT",
            ("CRM", "Analytics", "Support", "Training"),
        ),
        ("Requested_Demo__c", "Requested Demo", "BIT", ()),
        (
            "Timeframe__c",
            "Timeframe",
            "DROPDOWN",
            ("Immediately", "This quarter", "Next quarter", "This year"),
        ),
        ("First_Contacted__c", "First Contacted", "DATE", ()),
        ("Last_Touch__c", "Last Touch", "DATETIME", ()),
        ("Qualification_Notes__c", "Qualification Notes", "MULTILINETEXT", ()),
        ("Budget__c", "Budget", "NUMERIC", ()),
        ("Fit_Score__c", "Fit Score", "PERCENT", ()),
        ("Lead_Number__c", "Lead Number", "AUTONUMBER", ()),
    ),
    "Opportunities": (
        (
            "Competitor__c",
            "Competitor",
            "TEXT",
            ("Acme CRM", "Salesforce", "HubSpot", "Zoho", "Pipedrive", "None"),
        ),
        (
            "Modules__c",
            "Modules",
            "MULTISELECT",
            ("Sales", "Marketing", "Service", "Projects", "Reporting"),
        ),
        ("Budget_Confirmed__c", "Budget Confirmed", "BIT", ()),
        (
            "Deal_Type__c",
            "Deal Type",
            "DROPDOWN",
            ("New Business", "Upsell", "Renewal", "Cross-sell"),
        ),
        ("Contract_Start__c", "Contract Start", "DATE", ()),
        ("Last_Contact__c", "Last Contact", "DATETIME", ()),
        ("Next_Steps__c", "Next Steps", "MULTILINETEXT", ()),
        ("Seats__c", "Seats", "NUMERIC", ()),
        ("Discount__c", "Discount", "PERCENT", ()),
        ("Deal_Number__c", "Deal Number", "AUTONUMBER", ()),
    ),
    "Projects": (
        (
            "Client_Reference__c",
            "Client Reference",
            "TEXT",
            ("PO-2231", "PO-4410", "SOW-17", "SOW-22", "Internal"),
        ),
        (
            "Workstreams__c",
            "Workstreams",
            "MULTISELECT",
            ("Design", "Development", "Testing", "Training", "Rollout"),
        ),
        ("Billable__c", "Billable", "BIT", ()),
        ("Health__c", "Health", "DROPDOWN", ("On Track", "At Risk", "Off Track")),
        ("Target_Date__c", "Target Date", "DATE", ()),
        ("Last_Status_Update__c", "Last Status Update", "DATETIME", ()),
        ("Scope__c", "Scope", "MULTILINETEXT", ()),
        ("Budget_Hours__c", "Budget Hours", "NUMERIC", ()),
        ("Percent_Complete__c", "Percent Complete", "PERCENT", ()),
        ("Project_Number__c", "Project Number", "AUTONUMBER", ()),
    ),
}

# Every other object gets this set.
_GENERIC_FIELDS: Final[tuple[_FieldSpec, ...]] = (
    ("Reference__c", "Reference", "TEXT", ("A-100", "B-220", "C-310", "D-405", "E-512")),
    ("Labels__c", "Labels", "MULTISELECT", ("Urgent", "Internal", "External", "Review")),
    ("Flagged__c", "Flagged", "BIT", ()),
    ("Priority_Level__c", "Priority Level", "DROPDOWN", ("Low", "Medium", "High")),
    ("Review_Date__c", "Review Date", "DATE", ()),
    ("Last_Synced__c", "Last Synced", "DATETIME", ()),
    ("Comments__c", "Comments", "MULTILINETEXT", ()),
    ("Score__c", "Score", "NUMERIC", ()),
    ("Completion__c", "Completion", "PERCENT", ()),
    ("Sequence_Number__c", "Sequence Number", "AUTONUMBER", ()),
)

# FIELD_FOR of the catalog's custom-field objects: the singular object name in upper case,
# as recorded for contacts ("CONTACT") and custom objects ("FRUIT__C").
_FIELD_FOR: Final[Mapping[str, str]] = {
    rtype.custom_fields: rtype.object_name.upper()
    for rtype in BY_NAME.values()
    if rtype.custom_fields
}


def _field_for(object_name: str) -> str:
    return _FIELD_FOR.get(object_name, object_name.upper())


def _field_definition(order: int, field_for: str, spec: _FieldSpec) -> Record:
    name, label, field_type, values = spec
    options: list[Record] = []
    if field_type in ("DROPDOWN", "MULTISELECT"):
        # Listed alphabetically, with ids in creation order, as the recording shows.
        options = [
            {"OPTION_ID": index + 1, "OPTION_VALUE": value, "OPTION_DEFAULT": False}
            for index, value in sorted(enumerate(values), key=lambda pair: pair[1])
        ]
    return {
        "FIELD_NAME": name,
        "FIELD_ORDER": order,
        "FIELD_FOR": field_for,
        "FIELD_LABEL": label,
        "FIELD_TYPE": field_type,
        "FIELD_HELP_TEXT": None,
        "DEFAULT_VALUE": "False" if field_type == "BIT" else None,
        "EDITABLE": field_type != "AUTONUMBER",
        "VISIBLE": True,
        "CUSTOM_FIELD_OPTIONS": options,
        "DEPENDENCY": None,
        "JOIN_OBJECT": None,
    }


@functools.cache
def _definitions(object_name: str) -> tuple[Record, ...]:
    specs = _CUSTOM_FIELDS.get(object_name, _GENERIC_FIELDS)
    field_for = _field_for(object_name)
    return tuple(
        _field_definition(order, field_for, spec) for order, spec in enumerate(specs, start=1)
    )


@functools.cache
def _text_words(object_name: str) -> Mapping[str, tuple[str, ...]]:
    specs = _CUSTOM_FIELDS.get(object_name, _GENERIC_FIELDS)
    return {name: values for name, _label, kind, values in specs if kind == "TEXT"}


# === per-record scratch =================================================================


class _Row:
    """What one record's fields share: its times, people, company and place.

    One instance is reused for every record of a ``make`` call; the prelude overwrites
    each attribute before the fields are generated.
    """

    __slots__ = (
        "company",
        "created",
        "creator",
        "domain",
        "email",
        "female",
        "first",
        "last",
        "owner",
        "place",
        "short",
        "updated",
    )

    def __init__(self) -> None:
        self.created = 0
        self.updated = 0
        self.owner: int | None = None
        self.creator: int | None = None
        self.first = ""
        self.last = ""
        self.female = False
        self.email = ""
        self.company = ""
        self.short = ""
        self.domain = ""
        self.place: _Place = _PLACES[0]


# === the plan of one record type ========================================================


class _Plan:
    """How to make the records of one type: built once per type and factory.

    Attributes:
        template: Every key in wire order with its default (``None``, or ``False`` for a
            boolean); each record starts as a shallow copy.
        singles: ``(key, probability, generator)``: the key gets the generator's value
            with that probability and keeps the template's default otherwise.
        groups: The same for keys that must agree with each other; the generator returns
            one value per key.
        prelude: Steps filling the shared :class:`_Row` before a record's fields.
        per_call: Steps run once at the start of each ``make`` call (after ``refs`` are
            bound), for choices that depend on which ids exist.
        required_refs: Required field -> the type its value must come from.
        bound: The current call's ids by type name (``None`` when ``refs`` has none);
            the generators read it, so one plan serves every call.
    """

    def __init__(self, keys: tuple[str, ...], template: Record) -> None:
        self.keys = keys
        self.template = template
        self.singles: list[tuple[str, float, Gen]] = []
        self.groups: list[tuple[tuple[str, ...], float, GroupGen]] = []
        self.prelude: list[Callable[[_Row], None]] = []
        self.per_call: list[Callable[[], None]] = []
        self.required_refs: dict[str, str] = {}
        self.bound: dict[str, Sequence[int] | None] = {}


class _Kit:
    """The random helpers of one record type: its own RNG stream, calendar and refs."""

    def __init__(
        self,
        rng: random.Random,
        cal: _Calendar,
        bound: dict[str, Sequence[int] | None],
        sub_ids: Iterator[int],
    ) -> None:
        self.rng = rng
        self.r = rng.random
        self.cal = cal
        self.bound = bound
        self.sub_ids = sub_ids
        self.counters: dict[str, Iterator[int]] = {}

    # --- basics ---------------------------------------------------------------------

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.r() * len(seq))]

    def count(self, name: str, start: int = 1) -> int:
        counter = self.counters.get(name)
        if counter is None:
            counter = self.counters[name] = itertools.count(start)
        return next(counter)

    def ids(self, type_name: str) -> Sequence[int] | None:
        """The current call's ids of ``type_name`` (registers the type for binding)."""
        return self.bound.setdefault(type_name, None)

    def ref(self, type_name: str) -> Gen:
        """A generator of an existing id of ``type_name`` (``None`` when there is none)."""
        bound = self.bound
        r = self.r
        bound.setdefault(type_name, None)

        def gen(row: _Row) -> int | None:
            ids = bound[type_name]
            return ids[int(r() * len(ids))] if ids else None

        return gen

    def user(self) -> int | None:
        ids = self.bound["users"]
        return ids[int(self.r() * len(ids))] if ids else None

    def amount(self, low: float, high: float) -> float:
        # Log-uniform: many small amounts, a few large ones, rounded like real prices.
        value = low * (high / low) ** self.r()
        step = 50 if value >= 1_000 else 5 if value >= 100 else 1
        return float(max(step, round(value / step) * step))

    def prose(self, most: int, max_length: int = 4000) -> str:
        r = self.r
        n = 1 + int(r() * most)
        text = " ".join(_SENTENCES[int(r() * len(_SENTENCES))] for _ in range(n))
        if len(text) > max_length:
            text = text[:max_length].rsplit(" ", 1)[0]
        return text

    # --- people, companies, places ---------------------------------------------------

    def person(self, row: _Row) -> None:
        r = self.r
        first, female = _FIRST[int(r() * len(_FIRST))]
        last = _LAST[int(r() * len(_LAST))]
        row.first, row.last, row.female = first, last, female
        if r() < 0.35:
            f, s = _FIRST_SLUGS[first], _LAST_SLUGS[last]
            x = r()
            local = f"{f}.{s}" if x < 0.5 else f"{f}{s}" if x < 0.7 else f"{f[0]}{s}"
            if r() < 0.3:
                local += str(int(r() * 90) + 10)
            row.email = f"{local}@{_FREE_MAIL[int(r() * len(_FREE_MAIL))]}"
        else:
            # Filled with a work address by `company`, which runs next.
            row.email = ""

    def company(self, row: _Row) -> None:
        r = self.r
        head = _COMPANY_HEADS[int(r() * len(_COMPANY_HEADS))]
        tail = _COMPANY_TAILS[int(r() * len(_COMPANY_TAILS))]
        kind = _COMPANY_KINDS[int(r() * len(_COMPANY_KINDS))]
        ending = _COMPANY_ENDINGS[int(r() * len(_COMPANY_ENDINGS))]
        short = head + tail
        row.short = short
        row.company = f"{short} {kind}{ending}"
        slug = short.lower() + (_ascii_slug(kind) if r() < 0.4 else "")
        row.domain = slug + _TLDS[int(r() * len(_TLDS))]
        if not row.email and row.first:
            f, s = _FIRST_SLUGS[row.first], _LAST_SLUGS[row.last]
            row.email = f"{f}.{s}@{row.domain}" if r() < 0.7 else f"{f[0]}{s}@{row.domain}"

    def place(self, row: _Row) -> None:
        row.place = _PLACES[int(self.r() * len(_PLACES))]

    def phone(self, row: _Row) -> str:
        r = self.r
        style, area = row.place[5], row.place[6]
        a, b = int(r() * 800) + 200, int(r() * 10_000)
        if style == "nanp":
            return f"({area}) {a}-{b:04d}"
        if style == "uk":
            return f"+44 {area} {a}{b % 10} {b:04d}"
        if style == "au":
            return f"+61 {area} {a}{b % 10} {b:04d}"
        if style == "nz":
            return f"+64 {area} {a} {b:04d}"
        if style == "de":
            return f"+49 {area} {a}{b:04d}"
        if style == "fr":
            return f"+33 {area} {a % 100:02d} {a // 10 % 100:02d} {b // 100:02d} {b % 100:02d}"
        if style == "ie":
            return f"+353 {area} {a} {b:04d}"
        return f"+31 {area} {a} {b:04d}"

    def postcode(self, place: _Place) -> str:
        r = self.r
        style, base = place[3], place[4]
        letters = _LETTERS
        if style == "us":
            return f"{base}{int(r() * 90) + 1:02d}"
        if style == "ca":
            return (
                f"{base}{int(r() * 9) + 1}{letters[int(r() * 23)]} "
                f"{int(r() * 10)}{letters[int(r() * 23)]}{int(r() * 10)}"
            )
        if style == "uk":
            inward = f"{int(r() * 10)}{letters[int(r() * 23)]}{letters[int(r() * 23)]}"
            return f"{base}{int(r() * 9) + 1} {inward}"
        if style == "ie":
            return f"{base}{int(r() * 24) + 1:02d} {letters[int(r() * 23)]}{int(r() * 900) + 100}"
        if style == "au":
            return f"{base}{int(r() * 90) + 10:02d}"
        if style == "d5":
            return f"{base}{int(r() * 900) + 100:03d}"
        return f"{base}{int(r() * 90) + 10:02d} {letters[int(r() * 23)]}{letters[int(r() * 23)]}"

    def street(self, place: _Place) -> str:
        r = self.r
        number = int(r() * 2_400) + 1 if r() < 0.5 else int(r() * 200) + 1
        style = place[7]
        if style == "de":
            return f"{_STREETS_DE[int(r() * len(_STREETS_DE))]} {number % 150 + 1}"
        if style == "fr":
            return f"{number % 150 + 1} {_STREETS_FR[int(r() * len(_STREETS_FR))]}"
        if style == "nl":
            return f"{_STREETS_NL[int(r() * len(_STREETS_NL))]} {number % 400 + 1}"
        name = _STREETS_EN[int(r() * len(_STREETS_EN))]
        kind = _STREET_KINDS_EN[int(r() * len(_STREET_KINDS_EN))]
        if r() < 0.12:
            return f"{number} {name} {kind}, Suite {int(r() * 900) + 100}"
        return f"{number} {name} {kind}"

    # --- times ------------------------------------------------------------------------

    def times(self, row: _Row) -> None:
        r = self.r
        now = self.cal.now
        created = now - 3_600 - int(r() * _HISTORY_SECONDS)
        x = r()
        if x < 0.3:
            updated = created
        elif x < 0.45:
            # Written again right after the create, like the recorded POST responses.
            updated = created + 1 + int(r() * 120)
        else:
            updated = created + int((now - 1 - created) * r() * r())
        row.created = created
        row.updated = min(updated, now - 1)

    def owners(self, row: _Row) -> None:
        ids = self.bound["users"]
        if ids:
            r = self.r
            n = len(ids)
            owner = ids[int(r() * n)]
            row.owner = owner
            row.creator = owner if r() < 0.8 else ids[int(r() * n)]
        else:
            row.owner = row.creator = None

    def between(self, row: _Row) -> int:
        """An epoch second between the record's creation and now."""
        return row.created + int((self.cal.now - 1 - row.created) * self.r())

    def soon(self, days: int) -> int:
        """An epoch second within ``days`` after now."""
        return self.cal.now + 3_600 + int(self.r() * days * _DAY)


# === building plans =====================================================================

_ADDRESS_KEY = re.compile(r"^(ADDRESS_(?:[A-Z]+_)?)(NAME|STREET|CITY|STATE|POSTCODE|COUNTRY)$")
_PERSON_KEYS: Final = frozenset({"FIRST_NAME", "LAST_NAME", "EMAIL_ADDRESS", "EMAIL"})
_PLACE_KEYS: Final = frozenset({"PHONE", "MOBILE", "FAX", "PHONE_FAX", "QUOTATION_PHONE"})


def _new_list(row: _Row) -> list[Any]:
    return []


class _Builder:
    """Collects the rules of one record type, then compiles them into a :class:`_Plan`."""

    def __init__(self, factory: RecordFactory, kit: _Kit, rtype: RecordType) -> None:
        self.factory = factory
        self.kit = kit
        self.rtype = rtype
        self.keys = record_keys(rtype)
        self.props = _properties(rtype)
        self.rules: dict[str, tuple[float, Gen]] = {}
        self.groups: list[tuple[tuple[str, ...], float, GroupGen]] = []
        self.required_refs: dict[str, str] = {}
        self.per_call: list[Callable[[], None]] = []
        self.need_person = bool(_PERSON_KEYS & set(self.keys))
        self.need_company = self.need_person or "ORGANISATION_NAME" in self.keys
        self.need_place = any(
            key.startswith(("PHONE", "ADDRESS_")) or key in _PLACE_KEYS for key in self.keys
        )

    def has(self, key: str) -> bool:
        return key in self.keys

    def set(self, key: str, p: float, gen: Gen) -> None:
        """The rule of one field (the field must be in the layout)."""
        if key not in self.keys:
            raise AssertionError(f"{self.rtype.name} has no field {key}")
        self.rules[key] = (p, gen)

    def maybe(self, key: str, p: float, gen: Gen) -> None:
        """The rule of one field, if the type has it."""
        if key in self.keys:
            self.rules[key] = (p, gen)

    def const(self, key: str, value: Any) -> None:
        self.set(key, 1.0, lambda row: value)

    def ref(self, key: str, type_name: str, p: float = 1.0) -> None:
        """A reference field drawn from ``refs[type_name]`` (required ones must be there)."""
        self.set(key, p, self.kit.ref(type_name))
        if key in self.rtype.required:
            self.required_refs[key] = type_name

    def group(self, keys: tuple[str, ...], p: float, gen: GroupGen) -> None:
        missing = [key for key in keys if key not in self.keys]
        if missing:
            raise AssertionError(f"{self.rtype.name} has no fields {missing}")
        for key in keys:
            self.rules.pop(key, None)
        # A type's own group replaces a shared one over the same fields (a lead's address).
        self.groups = [g for g in self.groups if not set(g[0]) & set(keys)]
        self.groups.append((keys, p, gen))

    def compile(self) -> _Plan:
        template: Record = {
            key: False if self.props.get(key, {}).get("type") == "boolean" else None
            for key in self.keys
        }
        grouped = {key for keys, _p, _gen in self.groups for key in keys}
        for key in self.keys:
            is_list = self.props.get(key, {}).get("type") == "array" or key == "LINKS"
            if is_list and key not in self.rules and key not in grouped:
                # Every record needs its own list, not the template's.
                self.rules[key] = (1.0, _new_list)
        for key in self.rtype.required:
            if key in grouped:
                p = next(p for keys, p, _gen in self.groups if key in keys)
            elif key in self.rules:
                p = self.rules[key][0]
            else:
                raise AssertionError(f"{self.rtype.name}: required {key} has no rule")
            if p < 1.0:
                raise AssertionError(f"{self.rtype.name}: required {key} is not always set")
        plan = _Plan(self.keys, template)
        plan.singles = [(key, *self.rules[key]) for key in self.keys if key in self.rules]
        plan.groups = list(self.groups)
        kit = self.kit
        plan.prelude.append(kit.times)
        plan.prelude.append(kit.owners)
        if self.need_person:
            plan.prelude.append(kit.person)
        if self.need_company:
            plan.prelude.append(kit.company)
        if self.need_place:
            plan.prelude.append(kit.place)
        plan.per_call = list(self.per_call)
        plan.required_refs = dict(self.required_refs)
        plan.bound = kit.bound
        return plan


def _build_plan(factory: RecordFactory, kit: _Kit, rtype: RecordType) -> _Plan:
    b = _Builder(factory, kit, rtype)
    _common_rules(b)
    type_rules = _TYPE_RULES.get(rtype.name)
    if type_rules is not None:
        type_rules(b)
    return b.compile()


def _common_rules(b: _Builder) -> None:
    """Rules for the fields many types share, by wire name."""
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    person = b.has("FIRST_NAME")
    b.maybe("DATE_CREATED_UTC", 1.0, lambda row: cal.stamp(row.created))
    b.maybe("DATE_UPDATED_UTC", 1.0, lambda row: cal.stamp(row.updated))
    b.maybe("OWNER_USER_ID", 1.0, lambda row: row.owner)
    b.maybe("CREATED_USER_ID", 1.0, lambda row: row.creator)
    b.maybe("RESPONSIBLE_USER_ID", 1.0, lambda row: row.owner if r() < 0.8 else kit.user())
    b.maybe(
        "SALUTATION",
        0.6,
        lambda row: kit.pick(_SALUTATIONS_F if row.female else _SALUTATIONS_M),
    )
    b.maybe("FIRST_NAME", 1.0, lambda row: row.first)
    b.maybe("LAST_NAME", 1.0, lambda row: row.last)
    b.maybe("EMAIL_ADDRESS", 0.9, lambda row: row.email)
    b.maybe("TITLE", 0.6, lambda row: kit.pick(_JOB_TITLES))
    for key, p in (
        ("PHONE", 0.6),
        ("PHONE_HOME", 0.15),
        ("PHONE_MOBILE", 0.45),
        ("PHONE_OTHER", 0.04),
        ("PHONE_ASSISTANT", 0.04),
        ("PHONE_FAX", 0.05),
        ("MOBILE", 0.4),
        ("FAX", 0.04),
    ):
        b.maybe(key, p, kit.phone)
    if person:
        b.maybe(
            "SOCIAL_LINKEDIN",
            0.3,
            lambda row: (
                f"https://www.linkedin.com/in/{_FIRST_SLUGS[row.first]}-"
                f"{_LAST_SLUGS[row.last]}-{int(r() * 9000) + 1000}"
            ),
        )
        b.maybe(
            "SOCIAL_FACEBOOK",
            0.08,
            lambda row: (
                f"https://www.facebook.com/{_FIRST_SLUGS[row.first]}.{_LAST_SLUGS[row.last]}"
            ),
        )
        b.maybe(
            "SOCIAL_TWITTER",
            0.1,
            lambda row: f"@{_FIRST_SLUGS[row.first]}{_LAST_SLUGS[row.last][:6]}",
        )
    else:
        b.maybe(
            "SOCIAL_LINKEDIN",
            0.3,
            lambda row: f"https://www.linkedin.com/company/{row.short.lower()}",
        )
        b.maybe("SOCIAL_FACEBOOK", 0.1, lambda row: f"https://www.facebook.com/{row.short}")
        b.maybe("SOCIAL_TWITTER", 0.15, lambda row: f"@{row.short}")
    b.maybe(
        "DATE_OF_BIRTH",
        0.12,
        lambda row: (
            f"{1955 + int(r() * 48)}-{int(r() * 12) + 1:02d}-{int(r() * 28) + 1:02d} 00:00:00"
        ),
    )
    b.maybe(
        "ASSISTANT_NAME",
        0.04,
        lambda row: f"{kit.pick(_FIRST)[0]} {kit.pick(_LAST)}",
    )
    b.maybe("WEBSITE", 0.55, lambda row: f"https://www.{row.domain}")
    b.maybe("ORGANISATION_NAME", 0.6, lambda row: row.company)
    b.maybe("BACKGROUND", 0.25, lambda row: kit.prose(3))
    b.maybe("LAST_ACTIVITY_DATE_UTC", 0.3, lambda row: cal.stamp(kit.between(row)))
    b.maybe("NEXT_ACTIVITY_DATE_UTC", 0.1, lambda row: cal.stamp(kit.soon(45)))
    if b.has("ORGANISATION_ID"):
        b.ref("ORGANISATION_ID", "organisations", 0.6)
    b.maybe("EMAIL_OPTED_OUT", 1.0, lambda row: r() < 0.07)
    b.maybe("INDUSTRY", 0.45, lambda row: kit.pick(_INDUSTRIES))
    if b.has("VISIBLE_TO"):
        b.group(("VISIBLE_TO", "VISIBLE_TEAM_ID"), 1.0, _visibility(kit))
    if b.has("CUSTOMFIELDS") and b.rtype.custom_fields:
        b.set("CUSTOMFIELDS", 1.0, _custom_fields_gen(kit, b.rtype.custom_fields, 1.0))
    if b.has("TAGS"):
        b.set("TAGS", 1.0, _tags_gen(kit))
    if b.has("DATES"):
        b.set("DATES", 1.0, _dates_gen(kit))
    if b.has("EMAILDOMAINS"):
        b.set("EMAILDOMAINS", 1.0, _email_domains_gen(kit))
    _address_groups(b)


def _address_groups(b: _Builder) -> None:
    """One rule per address block (``ADDRESS_MAIL_*``…): all its lines, or none."""
    blocks: dict[str, dict[str, str]] = {}
    for key in b.keys:
        match = _ADDRESS_KEY.match(key)
        if match:
            blocks.setdefault(match.group(1), {})[match.group(2)] = key
    kit = b.kit
    first = True
    for prefix, parts in blocks.items():
        p = _ADDRESS_P.get(prefix, 0.4) if first else _ADDRESS_P.get(prefix, 0.15)
        keys = tuple(parts.values())
        kinds = tuple(parts)
        b.group(keys, p, _address_gen(kit, kinds, fresh=not first))
        first = False


# How often each address block is filled (the first block of a type uses the record's own
# place, the others a place of their own).
_ADDRESS_P: Final[Mapping[str, float]] = {
    "ADDRESS_MAIL_": 0.5,
    "ADDRESS_OTHER_": 0.08,
    "ADDRESS_BILLING_": 0.55,
    "ADDRESS_SHIP_": 0.25,
    "ADDRESS_SHIPPING_": 0.35,
    "ADDRESS_": 0.35,
}


def _address_gen(kit: _Kit, kinds: tuple[str, ...], *, fresh: bool) -> GroupGen:
    def gen(row: _Row) -> list[str]:
        place = kit.pick(_PLACES) if fresh else row.place
        values: list[str] = []
        for kind in kinds:
            if kind == "STREET":
                values.append(kit.street(place))
            elif kind == "CITY":
                values.append(place[0])
            elif kind == "STATE":
                values.append(place[1])
            elif kind == "POSTCODE":
                values.append(kit.postcode(place))
            elif kind == "COUNTRY":
                values.append(place[2])
            else:
                values.append(row.company or f"{row.first} {row.last}")
        return values

    return gen


def _visibility(kit: _Kit) -> GroupGen:
    r = kit.r
    kit.ids("teams")

    def gen(row: _Row) -> tuple[str, int | None]:
        x = r()
        if x < 0.86 or row.owner is None:
            return ("EVERYONE", None)
        if x < 0.96:
            return ("OWNER", None)
        teams = kit.bound["teams"]
        if teams:
            return ("TEAM", teams[int(r() * len(teams))])
        return ("EVERYONE", None)

    return gen


def _tags_gen(kit: _Kit) -> Gen:
    r = kit.r

    def gen(row: _Row) -> list[Record]:
        x = r()
        if x < 0.6:
            return []
        wanted = 1 if x < 0.88 else 2 if x < 0.96 else 3
        names: list[str] = []
        while len(names) < wanted:
            name = _TAGS[int(r() * len(_TAGS))]
            if name not in names:
                names.append(name)
        return [{"TAG_NAME": name} for name in names]

    return gen


def _dates_gen(kit: _Kit) -> Gen:
    r, cal, sub_ids = kit.r, kit.cal, kit.sub_ids

    def gen(row: _Row) -> list[Record]:
        if r() >= 0.05:
            return []
        return [
            {
                "DATE_ID": next(sub_ids),
                "OCCASION_NAME": kit.pick(_OCCASIONS),
                "OCCASION_DATE": cal.day(row.created - int(r() * 3_650) * _DAY),
                "REPEAT_YEARLY": True,
                "CREATE_TASK_YEARLY": r() < 0.3,
            }
        ]

    return gen


def _email_domains_gen(kit: _Kit) -> Gen:
    r, sub_ids = kit.r, kit.sub_ids

    def gen(row: _Row) -> list[Record]:
        if r() >= 0.2:
            return []
        return [{"EMAIL_DOMAIN_ID": next(sub_ids), "EMAIL_DOMAIN": row.domain}]

    return gen


# Link targets: (LINK_OBJECT_NAME, type name of its ids).
_LINK_TARGETS: Final[Mapping[str, tuple[str, str]]] = {
    "Contact": ("Contact", "contacts"),
    "Organisation": ("Organisation", "organisations"),
    "Opportunity": ("Opportunity", "opportunities"),
    "Project": ("Project", "projects"),
    "Lead": ("Lead", "leads"),
}


def _links(b: _Builder, p: float, *targets: str) -> None:
    """LINKS: with probability ``p`` one or two links to existing records of ``targets``."""
    kit = b.kit
    r, bound, sub_ids = kit.r, kit.bound, kit.sub_ids
    own = b.rtype.object_name
    pairs = [_LINK_TARGETS[target] for target in targets]
    for _name, type_name in pairs:
        kit.ids(type_name)
    kit.ids("relationships")

    def gen(row: _Row) -> list[Record]:
        if r() >= p:
            return []
        available = [(name, bound[type_name]) for name, type_name in pairs if bound[type_name]]
        if not available:
            return []
        links: list[Record] = []
        for _ in range(1 if r() < 0.85 else 2):
            name, ids = available[int(r() * len(available))]
            assert ids is not None
            relationships = bound["relationships"] if name == own else None
            links.append(
                {
                    "LINK_ID": next(sub_ids),
                    "OBJECT_NAME": own,
                    "OBJECT_ID": None,
                    "LINK_OBJECT_NAME": name,
                    "LINK_OBJECT_ID": ids[int(r() * len(ids))],
                    "ROLE": kit.pick(_LINK_ROLES) if name == "Contact" else None,
                    "DETAILS": None,
                    "RELATIONSHIP_ID": (
                        relationships[int(r() * len(relationships))] if relationships else None
                    ),
                    "IS_FORWARD": True,
                }
            )
        return links

    b.set("LINKS", 1.0, gen)


def _pipeline(b: _Builder, p: float, *, for_projects: bool) -> None:
    """PIPELINE_ID and STAGE_ID: a pipeline of the right kind and one of its own stages."""
    kit = b.kit
    r = kit.r
    layout = b.factory._reference.pipeline_layout
    kit.ids("pipelines")
    kit.ids("pipeline_stages")
    choices: list[tuple[int, list[int]]] = []

    def bind() -> None:
        choices.clear()
        pipelines, stages = kit.bound["pipelines"], kit.bound["pipeline_stages"]
        if not pipelines or not stages:
            return
        have_pipelines, have_stages = set(pipelines), set(stages)
        for pipeline_id, for_opportunities, for_project, stage_ids in layout:
            wanted = for_project if for_projects else for_opportunities
            if wanted and pipeline_id in have_pipelines:
                own = [stage for stage in stage_ids if stage in have_stages]
                if own:
                    choices.append((pipeline_id, own))

    def gen(row: _Row) -> tuple[int | None, int | None]:
        if not choices:
            return (None, None)
        pipeline_id, stages = choices[int(r() * len(choices))]
        return (pipeline_id, stages[int(r() * len(stages))])

    b.per_call.append(bind)
    b.group(("PIPELINE_ID", "STAGE_ID"), p, gen)


# --- custom fields in records -------------------------------------------------------

# How often a record has a value for a custom field of each type.
_CUSTOM_P: Final[Mapping[str, float]] = {
    "TEXT": 0.5,
    "MULTISELECT": 0.4,
    "BIT": 0.6,
    "DROPDOWN": 0.5,
    "DATE": 0.3,
    "DATETIME": 0.25,
    "MULTILINETEXT": 0.2,
    "NUMERIC": 0.4,
    "PERCENT": 0.3,
    "AUTONUMBER": 0.9,
}


def _text_vocabulary(name: str, label: str, words: Mapping[str, tuple[str, ...]]) -> Sequence[str]:
    known = words.get(name)
    if known:
        return known
    lowered = label.lower()
    if "colo" in lowered:
        return _COLOURS
    if "city" in lowered:
        return tuple(place[0] for place in _PLACES)
    if "country" in lowered:
        return _COUNTRIES
    if "industry" in lowered:
        return _INDUSTRIES
    return _NAME_NOUNS


def _custom_value_gen(
    kit: _Kit, field: Mapping[str, Any], words: Mapping[str, tuple[str, ...]]
) -> Gen:
    r, cal = kit.r, kit.cal
    name = str(field.get("FIELD_NAME"))
    field_type = str(field.get("FIELD_TYPE") or "TEXT").upper()
    options = [
        str(option.get("OPTION_VALUE"))
        for option in field.get("CUSTOM_FIELD_OPTIONS") or ()
        if option.get("OPTION_VALUE") is not None
    ]
    if field_type == "TEXT" or (field_type in ("DROPDOWN", "MULTISELECT") and not options):
        vocabulary = _text_vocabulary(name, str(field.get("FIELD_LABEL") or name), words)
        return lambda row: vocabulary[int(r() * len(vocabulary))]
    if field_type == "MULTISELECT":

        def multiselect(row: _Row) -> str:
            # Kept in the options' listed order, as the recording shows.
            chosen = [option for option in options if r() < 0.35]
            return ";".join(chosen or [options[int(r() * len(options))]])

        return multiselect
    if field_type == "DROPDOWN":
        return lambda row: options[int(r() * len(options))]
    if field_type == "BIT":
        return lambda row: r() < 0.35
    if field_type == "DATE":
        return lambda row: cal.day(row.created + int((r() * 1.5 - 0.5) * 365) * _DAY)
    if field_type == "DATETIME":
        return lambda row: cal.stamp(kit.between(row))
    if field_type == "MULTILINETEXT":
        return lambda row: kit.prose(1) + "\n" + kit.prose(2)
    if field_type in ("NUMERIC", "CURRENCY"):
        return lambda row: int(r() * 1_000) if r() < 0.7 else round(r() * 100, 1)
    if field_type == "PERCENT":
        return lambda row: int(r() * 21) * 5
    if field_type == "AUTONUMBER":
        prefix = re.sub(r"[^A-Z]", "", name.upper())[:3] or "NO"
        counter = f"autonumber:{name}"
        return lambda row: f"{prefix}-{kit.count(counter):05d}"
    return lambda row: None


def _custom_fields_gen(
    kit: _Kit, object_name: str, boost: float, fields: Sequence[Mapping[str, Any]] | None = None
) -> Gen:
    """CUSTOMFIELDS: some of the object's fields, sorted by name, as records carry them."""
    r = kit.r
    words = _text_words(object_name)
    entries: list[tuple[str, float, bool, Gen]] = []
    defined = _definitions(object_name) if fields is None else fields
    for field in sorted(defined, key=lambda f: str(f.get("FIELD_NAME"))):
        field_type = str(field.get("FIELD_TYPE") or "").upper()
        p = min(1.0, _CUSTOM_P.get(field_type, 0.4) * boost)
        nullable = field_type not in ("BIT", "AUTONUMBER")
        name = str(field.get("FIELD_NAME"))
        entries.append((name, p, nullable, _custom_value_gen(kit, field, words)))

    def gen(row: _Row) -> list[Record]:
        values: list[Record] = []
        for name, p, nullable, value in entries:
            if r() < p:
                # Now and then a field that once had a value was cleared: it stays, null.
                v = None if nullable and r() < 0.04 else value(row)
                values.append({"FIELD_NAME": name, "FIELD_VALUE": v, "CUSTOM_FIELD_ID": name})
        return values

    return gen


# === per-type rules =====================================================================


def _contacts(b: _Builder) -> None:
    _links(b, 0.15, "Organisation", "Contact", "Opportunity", "Project")


def _organisations(b: _Builder) -> None:
    kit = b.kit
    b.set("ORGANISATION_NAME", 1.0, lambda row: row.company)
    b.set("BACKGROUND", 0.3, lambda row: kit.prose(3))
    b.set("PHONE", 0.75, kit.phone)
    b.set("PHONE_FAX", 0.1, kit.phone)
    b.set("WEBSITE", 0.65, lambda row: f"https://www.{row.domain}")
    _links(b, 0.1, "Contact", "Organisation", "Opportunity", "Project")


def _leads(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.set("FIRST_NAME", 0.95, lambda row: row.first)
    b.set("TITLE", 0.5, lambda row: kit.pick(_JOB_TITLES))
    b.ref("LEAD_SOURCE_ID", "lead_sources")
    b.set("EMAIL", 1.0, lambda row: row.email if r() < 0.75 else "")
    b.set(
        "EMPLOYEE_COUNT",
        1.0,
        lambda row: 0 if r() < 0.6 else int(10 ** (r() * 3.7)),
    )
    b.set(
        "LEAD_DESCRIPTION",
        1.0,
        lambda row: kit.prose(3) if r() < 0.3 else (None if r() < 0.5 else ""),
    )
    b.set("LEAD_RATING", 0.3, lambda row: int(r() * 5) + 1)
    b.set("MOBILE", 0.4, kit.phone)
    b.set("PHONE", 0.5, kit.phone)
    b.set("WEBSITE", 0.3, lambda row: f"https://www.{row.domain}")
    # Most leads carry only the account's default country, as the recorded ones do.
    address_keys = tuple(f"ADDRESS_{part}" for part in ("STREET", "CITY", "STATE", "POSTCODE"))
    full = _address_gen(kit, ("STREET", "CITY", "STATE", "POSTCODE", "COUNTRY"), fresh=False)

    def address(row: _Row) -> Sequence[str | None]:
        if r() < 0.35:
            return full(row)
        return (None, None, None, None, row.place[2] if r() < 0.7 else None)

    b.group((*address_keys, "ADDRESS_COUNTRY"), 1.0, address)
    _links(b, 0.03, "Contact", "Organisation")
    # Conversion: a converted lead points at the contact (and organisation, opportunity)
    # it became, and has the account's converted status.
    reference = b.factory._reference
    kit.ids("lead_statuses")
    contacts = kit.ref("contacts")
    organisations = kit.ref("organisations")
    opportunities = kit.ref("opportunities")
    statuses: dict[str, list[int]] = {"open": [], "converted": []}

    def bind() -> None:
        ids = kit.bound["lead_statuses"] or ()
        converted = [i for i in ids if i == reference.converted_status]
        statuses["converted"] = converted
        statuses["open"] = [i for i in ids if i != reference.converted_status] or list(ids)

    def conversion(row: _Row) -> tuple[Any, ...]:
        if r() < 0.06 and kit.bound["contacts"]:
            pool = statuses["converted"] or statuses["open"]
            return (
                pool[int(r() * len(pool))],
                True,
                contacts(row),
                cal.stamp(row.updated),
                opportunities(row) if r() < 0.5 else None,
                organisations(row) if r() < 0.7 else None,
            )
        pool = statuses["open"]
        return (pool[int(r() * len(pool))], False, None, None, None, None)

    b.per_call.append(bind)
    b.required_refs["LEAD_STATUS_ID"] = "lead_statuses"
    b.group(
        (
            "LEAD_STATUS_ID",
            "CONVERTED",
            "CONVERTED_CONTACT_ID",
            "CONVERTED_DATE_UTC",
            "CONVERTED_OPPORTUNITY_ID",
            "CONVERTED_ORGANISATION_ID",
        ),
        1.0,
        conversion,
    )


def _opportunities(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_company = True
    b.set("OPPORTUNITY_NAME", 1.0, lambda row: f"{row.short} - {kit.pick(_OPPORTUNITY_DEALS)}")
    b.set("OPPORTUNITY_DETAILS", 0.4, lambda row: kit.prose(3))
    b.ref("CATEGORY_ID", "opportunity_categories", 0.7)
    b.ref("ORGANISATION_ID", "organisations", 0.75)
    b.ref("PRICEBOOK_ID", "price_books", 0.2)
    _pipeline(b, 0.75, for_projects=False)
    _links(b, 0.35, "Contact", "Organisation", "Project")

    def deal(row: _Row) -> tuple[Any, ...]:
        x = r()
        state = next(s for s, w in zip(_OPPORTUNITY_STATES, _STATE_WEIGHTS, strict=True) if x < w)
        amount = kit.amount(500, 250_000)
        if r() < 0.7:
            bid_type, duration = "Fixed Bid", None
        else:
            bid_type = kit.pick(_BID_TYPES)
            duration = {"Per Hour": 40, "Per Day": 10, "Per Week": 6, "Per Month": 12}.get(
                bid_type, 1 + int(r() * 3)
            )
            amount = kit.amount(50, 20_000)
        value = round(amount * (duration or 1), 2)
        if state == "OPEN":
            probability: int = 10 * (1 + int(r() * 9))
            forecast = kit.soon(180)
            closed = None
        else:
            probability = {"WON": 100, "SUSPENDED": 10 * (1 + int(r() * 5))}.get(state, 0)
            forecast = min(row.created + int(r() * 120) * _DAY, row.updated)
            closed = cal.day(row.updated) if state != "SUSPENDED" else None
        return (
            state,
            kit.pick(_BID_CURRENCIES),
            amount,
            bid_type,
            duration,
            closed,
            value,
            probability,
            cal.day(forecast),
        )

    b.group(
        (
            "OPPORTUNITY_STATE",
            "BID_CURRENCY",
            "BID_AMOUNT",
            "BID_TYPE",
            "BID_DURATION",
            "ACTUAL_CLOSE_DATE",
            "OPPORTUNITY_VALUE",
            "PROBABILITY",
            "FORECAST_CLOSE_DATE",
        ),
        1.0,
        deal,
    )


_PROJECT_STATUSES: Final = (
    ("NOT STARTED", 0.2),
    ("IN PROGRESS", 0.65),
    ("COMPLETED", 0.85),
    ("DEFERRED", 0.92),
    ("CANCELLED", 0.97),
    ("ABANDONED", 1.0),
)


def _projects(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_company = True
    b.set("PROJECT_NAME", 1.0, lambda row: f"{row.short} {kit.pick(_PROJECT_KINDS)}")
    b.set("PROJECT_DETAILS", 0.4, lambda row: kit.prose(3))
    b.ref("OPPORTUNITY_ID", "opportunities", 0.25)
    b.ref("CATEGORY_ID", "project_categories", 0.7)
    _pipeline(b, 0.5, for_projects=True)
    _links(b, 0.3, "Contact", "Organisation", "Opportunity")

    def status(row: _Row) -> tuple[str, str | None, str | None]:
        x = r()
        name = next(s for s, w in _PROJECT_STATUSES if x < w)
        if name == "NOT STARTED":
            return (name, None, None)
        started = min(row.created + int(r() * 14) * _DAY, row.updated)
        completed = cal.day(row.updated) if name == "COMPLETED" else None
        return (name, cal.day(started), completed)

    b.group(("STATUS", "STARTED_DATE", "COMPLETED_DATE"), 1.0, status)


_TASK_STATUSES: Final = (
    ("NOT STARTED", 0.35),
    ("IN PROGRESS", 0.6),
    ("COMPLETED", 0.9),
    ("DEFERRED", 0.95),
    ("WAITING", 1.0),
)


def _tasks(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.set("TITLE", 1.0, lambda row: kit.pick(_TASK_TITLES))
    b.ref("CATEGORY_ID", "task_categories", 0.6)
    b.set("DETAILS", 0.35, lambda row: kit.prose(2))
    b.set("PRIORITY", 1.0, lambda row: kit.pick((1, 2, 2, 2, 3)))
    b.ref("MILESTONE_ID", "milestones", 0.05)
    b.ref("EMAIL_ID", "emails", 0.05)
    b.ref("PROJECT_ID", "projects", 0.2)
    b.ref("OPPORTUNITY_ID", "opportunities", 0.2)
    b.ref("PARENT_TASK_ID", "tasks", 0.03)
    b.ref("ASSIGNED_TEAM_ID", "teams", 0.03)
    b.set("OWNER_VISIBLE", 1.0, lambda row: r() < 0.8)
    b.set("RECURRENCE", 0.05, lambda row: kit.pick(("FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY")))
    b.required_refs["OWNER_USER_ID"] = "users"
    b.group(
        ("ASSIGNED_BY_USER_ID", "ASSIGNED_DATE_UTC"),
        0.3,
        lambda row: (kit.user(), cal.stamp(row.created)),
    )
    _links(b, 0.4, "Contact", "Organisation", "Opportunity", "Project", "Lead")
    now = cal.now

    def progress(row: _Row) -> tuple[Any, ...]:
        x = r()
        status = next(s for s, w in _TASK_STATUSES if x < w)
        done = status == "COMPLETED"
        percent = 100 if done else 0 if status == "NOT STARTED" else 10 * (1 + int(r() * 9))
        start = cal.day(row.created) if r() < 0.6 else None
        due_at = row.created + (1 + int(r() * 30)) * _DAY if r() < 0.85 else None
        reminder = None
        if due_at is not None and r() < 0.15:
            reminder = due_at - _DAY + 9 * 3_600
        return (
            status,
            done,
            percent,
            cal.stamp(row.updated) if done else None,
            start,
            cal.day(due_at) if due_at is not None else None,
            cal.stamp(reminder) if reminder is not None else None,
            reminder is not None and reminder < now,
        )

    b.group(
        (
            "STATUS",
            "COMPLETED",
            "PERCENT_COMPLETE",
            "COMPLETED_DATE_UTC",
            "START_DATE",
            "DUE_DATE",
            "REMINDER_DATE_UTC",
            "REMINDER_SENT",
        ),
        1.0,
        progress,
    )


def _events(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_place = True
    b.set("TITLE", 1.0, lambda row: kit.pick(_EVENT_TITLES))
    b.set(
        "LOCATION",
        0.6,
        lambda row: kit.pick(_EVENT_PLACES) if r() < 0.7 else row.place[0],
    )
    b.set("DETAILS", 0.3, lambda row: kit.prose(2))
    _links(b, 0.4, "Contact", "Organisation", "Opportunity", "Project", "Lead")
    now = cal.now

    def schedule(row: _Row) -> tuple[Any, ...]:
        day = (row.created + int(r() * 21) * _DAY) // _DAY * _DAY + _DAY
        if r() < 0.15:
            start, end, all_day = day, day + _DAY, True
        else:
            start = day + (8 + int(r() * 9)) * 3_600 + int(r() * 4) * 900
            end = start + kit.pick((30, 45, 60, 60, 90, 120)) * 60
            all_day = False
        reminder = start - 900 if r() < 0.3 else None
        return (
            cal.stamp(start),
            cal.stamp(end),
            all_day,
            cal.stamp(reminder) if reminder is not None else None,
            reminder is not None and reminder < now,
        )

    b.group(
        ("START_DATE_UTC", "END_DATE_UTC", "ALL_DAY", "REMINDER_DATE_UTC", "REMINDER_SENT"),
        1.0,
        schedule,
    )


def _notes(b: _Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("TITLE", 1.0, lambda row: kit.pick(_NOTE_TITLES))
    b.set(
        "BODY",
        1.0,
        lambda row: f"<p>{kit.prose(4)}</p>" if r() < 0.6 else kit.prose(4),
    )
    _links(b, 0.85, "Contact", "Organisation", "Opportunity", "Project", "Lead")


def _emails(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_person = b.need_company = True
    b.set("EMAIL_FROM", 1.0, lambda row: f"{row.first} {row.last} <{row.email}>")
    b.set("SUBJECT", 1.0, lambda row: kit.pick(_EMAIL_SUBJECTS))
    b.set("EMAIL_DATE_UTC", 1.0, lambda row: cal.stamp(row.created - int(r() * 600)))
    b.set("FORMAT", 1.0, lambda row: "HTML" if r() < 0.8 else "TEXT")
    b.set("SIZE", 1.0, lambda row: 2_000 + int(r() * 250_000))
    _links(b, 0.6, "Contact", "Organisation", "Opportunity", "Project", "Lead")


_PIPELINE_NAMES: Final = ("Sales Pipeline", "Renewals", "Client Onboarding", "Implementation")
_STAGE_NAMES: Final = ("Qualification", "Proposal", "Negotiation", "Kickoff", "Build", "Launch")


def _pipelines(b: _Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("PIPELINE_NAME", 1.0, lambda row: kit.pick(_PIPELINE_NAMES))
    b.group(
        ("FOR_OPPORTUNITIES", "FOR_PROJECTS"),
        1.0,
        lambda row: (True, False) if r() < 0.6 else (False, True),
    )


def _pipeline_stages(b: _Builder) -> None:
    kit = b.kit
    b.ref("PIPELINE_ID", "pipelines")
    b.set("STAGE_NAME", 1.0, lambda row: kit.pick(_STAGE_NAMES))
    b.set("STAGE_ORDER", 1.0, lambda row: kit.count("STAGE_ORDER"))
    b.ref("ACTIVITYSET_ID", "activity_sets", 0.2)


def _users(b: _Builder) -> None:
    kit = b.kit
    account = b.factory._account
    b.need_company = False
    b.set("EMAIL_ADDRESS", 1.0, lambda row: _work_email(row, account.domain))
    b.set("TIMEZONE_ID", 1.0, lambda row: kit.pick(_TIMEZONES))

    def dropbox(row: _Row) -> tuple[str, str]:
        ident = "".join(kit.pick(_LETTERS) for _ in range(6))
        return (ident, f"dropbox-{ident.lower()}@mailbox.insight.ly")

    b.group(("EMAIL_DROPBOX_IDENTIFIER", "EMAIL_DROPBOX_ADDRESS"), 1.0, dropbox)
    b.const("ACTIVE", True)
    b.const("USER_CURRENCY", "USD")
    b.set("CONTACT_DISPLAY", 1.0, lambda row: kit.pick(("FirstLast", "LastFirst")))
    b.set("CONTACT_ORDER", 1.0, lambda row: kit.pick(("FirstLast", "LastFirst")))
    b.set("TASK_WEEK_START", 1.0, lambda row: kit.pick((1, 2)))
    b.const("INSTANCE_ID", account.instance_id)


def _work_email(row: _Row, domain: str) -> str:
    return f"{_FIRST_SLUGS[row.first]}.{_LAST_SLUGS[row.last]}@{domain}"


def _products(b: _Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("DESCRIPTION", 0.5, lambda row: kit.prose(2))
    b.const("CURRENCY_CODE", "USD")
    b.set("ACTIVE", 1.0, lambda row: r() < 0.9)

    def product(row: _Row) -> tuple[str, str, str, str, float]:
        family, code, name, price = kit.pick(_PRODUCTS)
        variant = kit.pick(_PRODUCT_VARIANTS)
        number = int(r() * 9_000) + 1_000
        factor = 10.0 if "Annual" in variant else 1.0
        return (name + variant, f"{code}-{number}", f"SKU-{number}{int(r() * 90) + 10}",
                family, price * factor)  # fmt: skip

    b.group(
        ("PRODUCT_NAME", "PRODUCT_CODE", "PRODUCT_SKU", "PRODUCT_FAMILY", "DEFAULT_PRICE"),
        1.0,
        product,
    )


def _price_books(b: _Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("DESCRIPTION", 0.4, lambda row: kit.prose(1))
    b.set("ACTIVE", 1.0, lambda row: r() < 0.9)

    def book(row: _Row) -> tuple[str, str, bool]:
        # The first price book of an account is its standard one.
        number = kit.count("price_book")
        if number == 1:
            return (_PRICE_BOOKS[0], "USD", True)
        name = _PRICE_BOOKS[1 + (number - 2) % (len(_PRICE_BOOKS) - 1)]
        if number > len(_PRICE_BOOKS):
            name += f" {2020 + number % 7}"
        return (name, "EUR" if "EU" in name else "USD", False)

    b.group(("NAME", "CURRENCY_CODE", "IS_STANDARD"), 1.0, book)


def _price_book_entries(b: _Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.ref("PRICEBOOK_ID", "price_books")
    b.ref("PRODUCT_ID", "products")
    b.const("CURRENCY_CODE", "USD")
    b.set("PRICE", 1.0, lambda row: kit.amount(10, 5_000))
    b.set("USE_STANDARD_PRICE", 1.0, lambda row: r() < 0.3)
    b.set("ACTIVE", 1.0, lambda row: r() < 0.92)


_QUOTE_STATUSES: Final = (
    "DRAFT", "NEEDS REVIEW", "IN REVIEW", "APPROVED", "REJECTED", "PRESENTED", "ACCEPTED",
    "DENIED",
)  # fmt: skip


def _quotes(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_person = b.need_company = True
    b.set("QUOTATION_NAME", 1.0, lambda row: f"{row.short} - {kit.pick(_OPPORTUNITY_DEALS)}")
    b.ref("OPPORTUNITY_ID", "opportunities")
    b.ref("CONTACT_ID", "contacts", 0.7)
    b.ref("ORGANISATION_ID", "organisations", 0.7)
    b.ref("PRICEBOOK_ID", "price_books", 0.6)
    b.set("QUOTATION_NUMBER", 1.0, lambda row: f"Q-{kit.count('QUOTATION_NUMBER'):05d}")
    b.set("QUOTATION_DESCRIPTION", 0.3, lambda row: kit.prose(2))
    b.set("QUOTATION_PHONE", 0.4, kit.phone)
    b.set("QUOTATION_EMAIL", 0.5, lambda row: row.email)
    b.set("QUOTATION_FAX", 0.03, kit.phone)
    b.set("IS_SYNCING", 1.0, lambda row: r() < 0.15)
    b.const("QUOTATION_CURRENCY_CODE", "USD")

    def totals(row: _Row) -> tuple[Any, ...]:
        subtotal = kit.amount(200, 80_000)
        discount = 0.0 if r() < 0.6 else round(subtotal * kit.pick((0.05, 0.1, 0.15)), 2)
        total = round(subtotal - discount, 2)
        shipping = kit.amount(10, 500) if r() < 0.3 else 0.0
        tax = round(total * kit.pick((0.0, 0.05, 0.0825, 0.1, 0.2)), 2)
        return (
            kit.pick(_QUOTE_STATUSES),
            cal.day(row.created + 30 * _DAY),
            1 + int(r() * 6),
            subtotal,
            discount,
            total,
            shipping,
            tax,
            round(total + shipping + tax, 2),
        )

    b.group(
        (
            "QUOTE_STATUS",
            "QUOTATION_EXPIRATION_DATE",
            "LINE_ITEM_COUNT",
            "SUBTOTAL",
            "DISCOUNT",
            "TOTAL_PRICE",
            "SHIPPING_HANDLING",
            "TAX",
            "GRAND_TOTAL",
        ),
        1.0,
        totals,
    )


def _line_totals(kit: _Kit) -> GroupGen:
    r = kit.r

    def gen(row: _Row) -> tuple[float, float, float, float, float, float]:
        quantity = float(kit.pick((1, 1, 1, 2, 3, 5, 10, 25)))
        list_price = kit.amount(10, 5_000)
        unit = list_price if r() < 0.7 else round(list_price * 0.9, 2)
        subtotal = round(quantity * unit, 2)
        discount = 0.0 if r() < 0.75 else round(subtotal * 0.05, 2)
        return (quantity, list_price, unit, subtotal, discount, round(subtotal - discount, 2))

    return gen


_LINE_KEYS: Final = ("QUANTITY", "LIST_PRICE", "UNIT_PRICE", "SUBTOTAL", "DISCOUNT", "TOTAL_PRICE")


def _quote_line_items(b: _Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.ref("QUOTE_ID", "quotes")
    b.ref("OPPORTUNITY_ITEM_ID", "opportunity_line_items", 0.2)
    b.ref("PRICEBOOK_ENTRY_ID", "price_book_entries")
    b.set("DESCRIPTION", 0.3, lambda row: kit.pick(_PRODUCTS)[2])
    b.const("CURRENCY_CODE", "USD")
    b.set("SORT_ORDER", 1.0, lambda row: 1 + int(r() * 6))
    b.group(_LINE_KEYS, 1.0, _line_totals(kit))


def _opportunity_line_items(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.ref("OPPORTUNITY_ID", "opportunities")
    b.ref("PRICEBOOK_ENTRY_ID", "price_book_entries")
    b.const("CURRENCY_CODE", "USD")
    b.set("DESCRIPTION", 0.3, lambda row: kit.pick(_PRODUCTS)[2])
    b.set("SERVICE_DATE", 0.2, lambda row: cal.day(row.created + int(r() * 60) * _DAY))
    b.group(_LINE_KEYS, 1.0, _line_totals(kit))


def _milestones(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.set("TITLE", 1.0, lambda row: kit.pick(_MILESTONE_TITLES))
    b.ref("PROJECT_ID", "projects", 0.95)
    b.set("RESPONSIBLE_USER", 1.0, lambda row: row.owner)

    def progress(row: _Row) -> tuple[bool, str, str | None]:
        done = r() < 0.4
        due = cal.day(row.created + (7 + int(r() * 90)) * _DAY)
        return (done, due, cal.stamp(row.updated) if done else None)

    b.group(("COMPLETED", "DUE_DATE", "COMPLETED_DATE_UTC"), 1.0, progress)


def _lead_sources(b: _Builder) -> None:
    kit = b.kit
    b.set("LEAD_SOURCE", 1.0, lambda row: kit.pick(_LEAD_SOURCES))
    b.set("FIELD_ORDER", 1.0, lambda row: kit.count("FIELD_ORDER"))


def _lead_statuses(b: _Builder) -> None:
    kit = b.kit
    b.set("LEAD_STATUS", 1.0, lambda row: kit.pick(_LEAD_STATUSES)[0])
    b.const("STATUS_TYPE", 1)
    b.set("FIELD_ORDER", 1.0, lambda row: kit.count("FIELD_ORDER"))


def _categories(vocabulary: tuple[tuple[str, str, bool], ...]) -> Callable[[_Builder], None]:
    def rules(b: _Builder) -> None:
        kit = b.kit

        def category(row: _Row) -> tuple[str, bool, str]:
            name, colour, _active = kit.pick(vocabulary)
            return (name, True, colour)

        b.group(("CATEGORY_NAME", "ACTIVE", "BACKGROUND_COLOR"), 1.0, category)

    return rules


def _opportunity_state_reasons(b: _Builder) -> None:
    kit = b.kit

    def reason(row: _Row) -> tuple[str, str]:
        text, state = kit.pick(_STATE_REASONS)
        return (text, state)

    b.group(("STATE_REASON", "FOR_OPPORTUNITY_STATE"), 1.0, reason)


def _relationships(b: _Builder) -> None:
    kit = b.kit
    b.group(
        (
            "FORWARD_TITLE",
            "FORWARD",
            "REVERSE_TITLE",
            "REVERSE",
            "FOR_CONTACTS",
            "FOR_ORGANISATIONS",
        ),
        1.0,
        lambda row: kit.pick(_RELATIONSHIPS),
    )


def _teams(b: _Builder) -> None:
    kit = b.kit
    b.set("TEAM_NAME", 1.0, lambda row: kit.pick(_TEAM_NAMES))


def _team_members(b: _Builder) -> None:
    b.ref("TEAM_ID", "teams")
    b.ref("MEMBER_USER_ID", "users")


def _activity_sets(b: _Builder) -> None:
    kit = b.kit
    flags = ("FOR_CONTACTS", "FOR_ORGANISATIONS", "FOR_OPPORTUNITIES", "FOR_PROJECTS", "FOR_LEADS")

    def activity_set(row: _Row) -> tuple[Any, ...]:
        name, *rest = kit.pick(_ACTIVITY_SETS)
        return (name, *rest[:5])

    b.group(("NAME", *flags), 1.0, activity_set)


def _countries(b: _Builder) -> None:
    kit = b.kit
    b.set("COUNTRY_NAME", 1.0, lambda row: kit.pick(_COUNTRIES))


def _currencies(b: _Builder) -> None:
    kit = b.kit
    b.group(("CURRENCY_CODE", "CURRENCY_SYMBOL"), 1.0, lambda row: kit.pick(_CURRENCIES))


_TICKET_STATUSES: Final = (
    ("NEW", 0.15),
    ("OPEN", 0.45),
    ("PENDING", 0.6),
    ("ON HOLD", 0.65),
    ("SOLVED", 0.85),
    ("CLOSED", 1.0),
)


def _tickets(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    account = b.factory._account
    b.ref("ORGANISATION_ID", "organisations", 0.5)
    b.set(
        "TICKET_TYPE",
        0.85,
        lambda row: kit.pick(("Question", "Problem", "Incident", "Feature Request")),
    )
    b.set("SUBJECT", 1.0, lambda row: kit.pick(_TICKET_SUBJECTS))
    b.set("PRIORITY", 1.0, lambda row: kit.pick(("LOW", "NORMAL", "NORMAL", "HIGH", "URGENT")))
    b.const("TO_EMAIL_ADDRESS", f"support@{account.domain}")
    b.ref("CONTACT_ID", "contacts")
    b.set("TICKET_NUMBER", 1.0, lambda row: f"{kit.count('TICKET_NUMBER', 1_001):06d}")
    b.set("SOURCE", 1.0, lambda row: kit.pick(("Email", "Email", "Web Form", "Phone", "API")))

    def status(row: _Row) -> tuple[str, str | None, str | None]:
        x = r()
        name = next(s for s, w in _TICKET_STATUSES if x < w)
        solved = cal.stamp(row.updated) if name in ("SOLVED", "CLOSED") else None
        closed = cal.stamp(row.updated) if name == "CLOSED" else None
        return (name, solved, closed)

    b.group(("TICKET_STATUS", "DATE_SOLVED_UTC", "DATE_CLOSED_UTC"), 1.0, status)


def _prospects(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.ref("CONTACT_ID", "contacts", 0.1)
    b.ref("ORGANISATION_ID", "organisations", 0.1)
    b.set("SALUTATION", 0.4, lambda row: kit.pick(_SALUTATIONS_F if row.female else _SALUTATIONS_M))
    b.set("FIRST_NAME", 0.9, lambda row: row.first)
    b.set("EMAIL_ADDRESS", 1.0, lambda row: row.email)
    b.set("TITLE", 0.5, lambda row: kit.pick(_JOB_TITLES))
    b.set("WEBSITE", 0.3, lambda row: f"https://www.{row.domain}")
    b.set("EMPLOYEE_COUNT", 0.3, lambda row: int(10 ** (r() * 3.7)))
    b.set("DESCRIPTION", 0.2, lambda row: kit.prose(2))
    b.set("DO_NOT_EMAIL", 1.0, lambda row: r() < 0.05)
    b.set("DO_NOT_CALL", 1.0, lambda row: r() < 0.05)
    b.set("OPTED_OUT", 1.0, lambda row: r() < 0.04)
    b.set("DO_NOT_SYNC", 1.0, lambda row: r() < 0.02)
    leads = kit.ref("leads")

    def score(row: _Row) -> tuple[int, str]:
        value = int(r() * 101)
        grade = "A+" if value >= 90 else "A" if value >= 75 else "B" if value >= 55 else "C"
        return (value, grade if value >= 35 else "D")

    def conversion(row: _Row) -> tuple[int | None, str | None]:
        lead = leads(row)
        return (lead, cal.stamp(row.updated) if lead is not None else None)

    b.group(("SCORE", "GRADE"), 1.0, score)
    b.group(("LEAD_ID", "LEAD_CONVERSION_DATE_UTC"), 0.1, conversion)


_ARTICLE_STATES: Final = (("Published", 0.7), ("Draft", 0.9), ("Archived", 1.0))


def _knowledge_articles(b: _Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    folders = b.factory._account.folder_ids
    # Articles live in folders, which are not a catalog type: the account has a few.
    b.set("FOLDER_ID", 1.0, lambda row: folders[int(r() * len(folders))])
    b.set("ARTICLE_NO", 1.0, lambda row: kit.count("ARTICLE_NO", 1_000))
    b.set("ArticleVersion", 1.0, lambda row: str(1 + int(r() * 3)))
    b.const("Language", "en-US")
    b.set("Body", 1.0, lambda row: f"<p>{kit.prose(5)}</p><p>{kit.prose(3)}</p>")
    b.set("DOWNVOTE_COUNT", 1.0, lambda row: int(r() * 6))
    b.set("UPVOTE_COUNT", 1.0, lambda row: int(r() * 60))
    b.set("PROMOTED", 1.0, lambda row: r() < 0.1)
    b.set("ExternalLinkCount", 1.0, lambda row: str(int(r() * 4)))

    def title(row: _Row) -> tuple[str, str]:
        text = kit.pick(_ARTICLE_TITLES)
        number = kit.count("URL_SLUG")
        if number > len(_ARTICLE_TITLES):
            text += f" (part {1 + number // len(_ARTICLE_TITLES)})"
        return (text, f"{_url_slug(text)}-{number}")

    def state(row: _Row) -> tuple[str, str | None, str | None, str | None]:
        x = r()
        name = next(s for s, w in _ARTICLE_STATES if x < w)
        if name == "Draft":
            return (name, None, None, None)
        first = cal.stamp(row.created)
        last = cal.stamp(row.updated)
        return (name, first, last, last if name == "Archived" else None)

    b.group(("Title", "URL_SLUG"), 1.0, title)
    b.group(
        ("Status", "FIRST_PUBLISHED_DATE_UTC", "LAST_PUBLISHED_DATE_UTC", "ARCHIVED_DATE_UTC"),
        1.0,
        state,
    )


# === reference data =====================================================================

# (name, for opportunities, for projects, stage names)
_PIPELINES: Final = (
    ("Sales Pipeline", True, False,
     ("Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closing")),
    ("Renewals", True, False, ("Renewal Due", "Quote Sent", "Verbal Commitment")),
    ("Client Onboarding", False, True, ("Kickoff", "Configuration", "Training", "Go-live")),
    ("Implementation", False, True, ("Planning", "Build", "Testing", "Launch")),
)  # fmt: skip
_LEAD_SOURCES: Final = (
    "Web", "Referral", "Trade Show", "Advertisement", "Partner", "Cold Call",
    "Email Campaign", "Social Media",
)  # fmt: skip
# (status, STATUS_TYPE): 1 open, 2 closed, 3 converted. The numbering is a guess; the
# spec documents no values.
_LEAD_STATUSES: Final = (
    ("Open - Not Contacted", 1),
    ("Working - Contacted", 1),
    ("Qualified", 1),
    ("Unqualified", 2),
    ("Converted", 3),
)
_OPPORTUNITY_CATEGORIES: Final = (
    ("New Business", "2E86C1", True),
    ("Upsell", "28B463", True),
    ("Renewal", "F39C12", True),
    ("Services", "8E44AD", True),
    ("Partner Deal", "17A589", True),
    ("Legacy", "7F8C8D", False),
)
_PROJECT_CATEGORIES: Final = (
    ("Implementation", "1F618D", True),
    ("Consulting", "D35400", True),
    ("Internal", "7F8C8D", True),
    ("Support", "C0392B", True),
    ("Training", "27AE60", True),
)
_TASK_CATEGORIES: Final = (
    ("Call", "3498DB", True),
    ("Email", "9B59B6", True),
    ("Meeting", "E67E22", True),
    ("Follow-up", "1ABC9C", True),
    ("To-do", "95A5A6", True),
    ("Deadline", "E74C3C", True),
)
_STATE_REASONS: Final = (
    ("Best price", "WON"),
    ("Product fit", "WON"),
    ("Existing relationship", "WON"),
    ("Lost to competitor", "LOST"),
    ("Price too high", "LOST"),
    ("No budget", "LOST"),
    ("No response", "ABANDONED"),
    ("Project cancelled", "ABANDONED"),
    ("Budget freeze", "SUSPENDED"),
    ("On hold by customer", "SUSPENDED"),
)
_RELATIONSHIPS: Final = (
    ("Manager", "is the manager of", "Report", "reports to", True, False),
    ("Spouse", "is the spouse of", "Spouse", "is the spouse of", True, False),
    ("Colleague", "is a colleague of", "Colleague", "is a colleague of", True, False),
    ("Parent Company", "is the parent company of", "Subsidiary", "is a subsidiary of",
     False, True),
    ("Supplier", "supplies", "Customer", "is a customer of", False, True),
    ("Partner", "is a partner of", "Partner", "is a partner of", True, True),
)  # fmt: skip
# (name, for contacts, organisations, opportunities, projects, leads, activities as
# (name, TASK or EVENT, days after start))
_ACTIVITY_SETS: Final = (
    ("New customer onboarding", True, True, False, False, False,
     (("Send welcome email", "TASK", 1), ("Onboarding call", "EVENT", 3),
      ("30-day check-in", "TASK", 30))),
    ("Sales follow-up", False, False, True, False, False,
     (("Send proposal", "TASK", 2), ("Follow-up call", "TASK", 7))),
    ("Project kickoff", False, False, False, True, False,
     (("Kickoff meeting", "EVENT", 1), ("Share project plan", "TASK", 3))),
    ("Lead nurture", False, False, False, False, True,
     (("Intro email", "TASK", 0), ("Discovery call", "EVENT", 5),
      ("Send case study", "TASK", 10))),
)  # fmt: skip
_TEAM_NAMES: Final = ("Sales", "Customer Support", "Management")


class _Reference:
    """The account's reference lists: names and ids fixed by the seed, owners by the users."""

    def __init__(self, rng: random.Random, cal: _Calendar) -> None:
        self._cal = cal

        def ids(base: int, n: int) -> list[int]:
            current = base + rng.randrange(90_000)
            out: list[int] = []
            for _ in range(n):
                current += 1 + rng.randrange(30)
                out.append(current)
            return out

        self.pipeline_ids = ids(1_130_000, len(_PIPELINES))
        stage_ids = ids(4_870_000, sum(len(p[3]) for p in _PIPELINES))
        self.activity_set_ids = ids(2_770_000, len(_ACTIVITY_SETS))
        self.activity_ids = ids(8_120_000, sum(len(a[6]) for a in _ACTIVITY_SETS))
        self.lead_source_ids = ids(3_794_000, len(_LEAD_SOURCES))
        self.lead_status_ids = ids(3_724_000, len(_LEAD_STATUSES))
        self.converted_status = self.lead_status_ids[-1]
        self.category_ids = {
            "opportunity_categories": ids(6_110_000, len(_OPPORTUNITY_CATEGORIES)),
            "project_categories": ids(6_210_000, len(_PROJECT_CATEGORIES)),
            "task_categories": ids(6_310_000, len(_TASK_CATEGORIES)),
        }
        self.state_reason_ids = ids(2_410_000, len(_STATE_REASONS))
        self.relationship_ids = ids(1_540_000, len(_RELATIONSHIPS))
        self.team_ids = ids(1_180_000, len(_TEAM_NAMES))
        self.permission_base = 7_350_000 + rng.randrange(90_000)
        self.created = cal.now - _HISTORY_SECONDS - 29 * _DAY + rng.randrange(_DAY)
        # (pipeline id, for opportunities, for projects, its stage ids in order)
        layout: list[tuple[int, bool, bool, tuple[int, ...]]] = []
        stages = iter(stage_ids)
        for pipeline_id, (_name, for_opps, for_projects, names) in zip(
            self.pipeline_ids, _PIPELINES, strict=True
        ):
            layout.append((pipeline_id, for_opps, for_projects, tuple(next(stages) for _ in names)))
        self.pipeline_layout: tuple[tuple[int, bool, bool, tuple[int, ...]], ...] = tuple(layout)

    def records(self, users: Sequence[int]) -> dict[str, list[Record]]:
        owner = users[0] if users else None
        stamp = self._cal.stamp
        out: dict[str, list[Record]] = {}

        def put(type_name: str, values: Mapping[str, Any]) -> None:
            out.setdefault(type_name, []).append(_ordered(_layout(type_name), values))

        for name in _COUNTRIES:
            put("countries", {"COUNTRY_NAME": name})
        for code, symbol in _CURRENCIES:
            put("currencies", {"CURRENCY_CODE": code, "CURRENCY_SYMBOL": symbol})
        for rel_id, values in zip(self.relationship_ids, _RELATIONSHIPS, strict=True):
            keys = ("FORWARD_TITLE", "FORWARD", "REVERSE_TITLE", "REVERSE")
            put(
                "relationships",
                {
                    "RELATIONSHIP_ID": rel_id,
                    **dict(zip(keys, values[:4], strict=True)),
                    "FOR_CONTACTS": values[4],
                    "FOR_ORGANISATIONS": values[5],
                },
            )
        for order, (source_id, name) in enumerate(
            zip(self.lead_source_ids, _LEAD_SOURCES, strict=True)
        ):
            put(
                "lead_sources",
                {
                    "LEAD_SOURCE_ID": source_id,
                    "LEAD_SOURCE": name,
                    "DEFAULT_VALUE": order == 0,
                    "FIELD_ORDER": order + 1,
                },
            )
        for order, (status_id, (name, kind)) in enumerate(
            zip(self.lead_status_ids, _LEAD_STATUSES, strict=True)
        ):
            put(
                "lead_statuses",
                {
                    "LEAD_STATUS_ID": status_id,
                    "LEAD_STATUS": name,
                    "DEFAULT_STATUS": order == 0,
                    "STATUS_TYPE": kind,
                    "FIELD_ORDER": order + 1,
                },
            )
        for type_name, vocabulary in (
            ("opportunity_categories", _OPPORTUNITY_CATEGORIES),
            ("project_categories", _PROJECT_CATEGORIES),
            ("task_categories", _TASK_CATEGORIES),
        ):
            for category_id, (name, colour, active) in zip(
                self.category_ids[type_name], vocabulary, strict=True
            ):
                put(
                    type_name,
                    {
                        "CATEGORY_ID": category_id,
                        "CATEGORY_NAME": name,
                        "ACTIVE": active,
                        "BACKGROUND_COLOR": colour,
                    },
                )
        for reason_id, (reason, state) in zip(self.state_reason_ids, _STATE_REASONS, strict=True):
            put(
                "opportunity_state_reasons",
                {
                    "STATE_REASON_ID": reason_id,
                    "STATE_REASON": reason,
                    "FOR_OPPORTUNITY_STATE": state,
                },
            )
        activity_ids = iter(self.activity_ids)
        task_categories = self.category_ids["task_categories"]
        # Tasks of an activity set are calls, its events meetings.
        category = {"TASK": task_categories[0], "EVENT": task_categories[2]}
        for set_id, spec in zip(self.activity_set_ids, _ACTIVITY_SETS, strict=True):
            name, for_contacts, for_organisations, for_opportunities, for_projects = spec[:5]
            put(
                "activity_sets",
                {
                    "ACTIVITYSET_ID": set_id,
                    "NAME": name,
                    "FOR_CONTACTS": for_contacts,
                    "FOR_ORGANISATIONS": for_organisations,
                    "FOR_OPPORTUNITIES": for_opportunities,
                    "FOR_PROJECTS": for_projects,
                    "FOR_LEADS": spec[5],
                    "OWNER_USER_ID": owner,
                    "ACTIVITIES": [
                        _activity(
                            next(activity_ids), set_id, activity, owner, category[activity[1]]
                        )
                        for activity in spec[6]
                    ],
                },
            )
        for (pipeline_id, for_opps, for_projects, _stages), pipeline in zip(
            self.pipeline_layout, _PIPELINES, strict=True
        ):
            put(
                "pipelines",
                {
                    "PIPELINE_ID": pipeline_id,
                    "PIPELINE_NAME": pipeline[0],
                    "FOR_OPPORTUNITIES": for_opps,
                    "FOR_PROJECTS": for_projects,
                    "OWNER_USER_ID": owner,
                },
            )
        # The first stage of each pipeline starts the activity set of its kind.
        sales_set, kickoff_set = self.activity_set_ids[1], self.activity_set_ids[2]
        for (pipeline_id, for_opps, _for_projects, stage_ids), pipeline in zip(
            self.pipeline_layout, _PIPELINES, strict=True
        ):
            names = pipeline[3]
            for order, (stage_id, stage_name) in enumerate(
                zip(stage_ids, names, strict=True), start=1
            ):
                activity_set = (sales_set if for_opps else kickoff_set) if order == 1 else None
                put(
                    "pipeline_stages",
                    {
                        "STAGE_ID": stage_id,
                        "PIPELINE_ID": pipeline_id,
                        "STAGE_NAME": stage_name,
                        "STAGE_ORDER": order,
                        "ACTIVITYSET_ID": activity_set,
                        "OWNER_USER_ID": owner,
                    },
                )
        members = self._members(users)
        out["team_members"] = members
        for team_id, name in zip(self.team_ids, _TEAM_NAMES, strict=True):
            put(
                "teams",
                {
                    "TEAM_ID": team_id,
                    "TEAM_NAME": name,
                    "DATE_CREATED_UTC": stamp(self.created),
                    "DATE_UPDATED_UTC": stamp(self.created + 7 * _DAY),
                    "TEAMMEMBERS": [dict(m) for m in members if m["TEAM_ID"] == team_id],
                },
            )
        return out

    def _members(self, users: Sequence[int]) -> list[Record]:
        # Management: the administrator. Sales: the regular and the disabled user, then
        # every other further user; Customer Support: the regular user and the rest.
        sales, support, management = self.team_ids
        pairs: list[tuple[int, int]] = []
        if users:
            pairs.append((management, users[0]))
        pairs.extend((sales, user) for user in users[1:3])
        pairs.extend((sales if i % 2 else support, user) for i, user in enumerate(users[3:]))
        if len(users) > 1:
            pairs.append((support, users[1]))
        pairs.sort()
        keys = _layout("team_members")
        return [
            _ordered(
                keys,
                {
                    "PERMISSION_ID": self.permission_base + 3 * index + 1,
                    "TEAM_ID": team_id,
                    "MEMBER_USER_ID": user_id,
                },
            )
            for index, (team_id, user_id) in enumerate(pairs)
        ]


@functools.cache
def _activity_keys() -> tuple[str, ...]:
    return tuple(definition("APIActivity")["properties"])


def _activity(
    activity_id: int,
    set_id: int,
    activity: tuple[str, str, int],
    owner: int | None,
    category: int,
) -> Record:
    name, kind, days = activity
    event = kind == "EVENT"
    values: Record = {
        "ACTIVITY_ID": activity_id,
        "ACTIVITYSET_ID": set_id,
        "ACTIVITY_NAME": name,
        "ACTIVITY_DETAILS": None,
        "ACTIVITY_TYPE": kind,
        "CATEGORY_ID": category,
        "REMINDER": False,
        "REMINDER_DAYS_BEFORE_DUE": None,
        "REMINDER_TIME": None,
        "PUBLICLY_VISIBLE": True,
        "OWNER_VISIBLE": False,
        "OWNER_USER_ID": owner,
        "RESPONSIBLE_USER_ID": owner,
        "ASSIGNED_TEAM_ID": None,
        "SKIP_SUN": True,
        "SKIP_MON": False,
        "SKIP_TUE": False,
        "SKIP_WED": False,
        "SKIP_THU": False,
        "SKIP_FRI": False,
        "SKIP_SAT": True,
        "DUE_DAYS_AFTER_START": None if event else days,
        "DUE_DAYS_BEFORE_END": None,
        "EVENT_DAYS_AFTER_START": days if event else None,
        "EVENT_DAYS_BEFORE_END": None,
        "EVENT_TIME": "10:00" if event else None,
        "ALL_DAY": False,
        "DURATION": 60 if event else None,
    }
    return _ordered(_activity_keys(), values)


class _Account:
    """Facts about the account itself: its domain, instance id and article folders."""

    def __init__(self, rng: random.Random, cal: _Calendar) -> None:
        row = _Row()
        _Kit(rng, cal, {}, iter(())).company(row)
        self.domain = row.domain
        self.instance_id = 500_000 + rng.randrange(400_000)
        first = 3_100_000 + rng.randrange(90_000)
        self.folder_ids = (first, first + 7, first + 19)


# === custom objects =====================================================================


def _custom_object_plan(
    factory: RecordFactory,
    kit: _Kit,
    rtype: RecordType,
    definition: Mapping[str, Any],
    fields: Sequence[Mapping[str, Any]],
) -> _Plan:
    b = _Builder(factory, kit, rtype)
    cal, r = kit.cal, kit.r
    b.need_person = b.need_company = b.need_place = False
    b.maybe("DATE_CREATED_UTC", 1.0, lambda row: cal.stamp(row.created))
    b.maybe("DATE_UPDATED_UTC", 1.0, lambda row: cal.stamp(row.updated))
    b.maybe("OWNER_USER_ID", 1.0, lambda row: row.owner)
    b.maybe("CREATED_USER_ID", 1.0, lambda row: row.creator)
    b.group(("VISIBLE_TO", "VISIBLE_TEAM_ID"), 1.0, _visibility(kit))
    if str(definition.get("RECORD_NAME_TYPE") or "TEXT").upper() == "AUTONUMBER":
        prefix = re.sub(r"[^A-Z]", "", rtype.name[:-3].upper())[:3] or "REC"
        b.set("RECORD_NAME", 1.0, lambda row: f"{prefix}-{kit.count('RECORD_NAME'):05d}")
    else:
        b.set(
            "RECORD_NAME",
            1.0,
            lambda row: (
                f"{_NAME_ADJECTIVES[int(r() * len(_NAME_ADJECTIVES))]} "
                f"{_NAME_NOUNS[int(r() * len(_NAME_NOUNS))]}"
            ),
        )
    # Custom objects are young and purpose-built: their fields are mostly filled in.
    b.set("CUSTOMFIELDS", 1.0, _custom_fields_gen(kit, rtype.name, 2.2, fields))
    return b.compile()


_TYPE_RULES: Final[Mapping[str, Callable[[_Builder], None]]] = {
    "contacts": _contacts,
    "organisations": _organisations,
    "leads": _leads,
    "opportunities": _opportunities,
    "projects": _projects,
    "tasks": _tasks,
    "events": _events,
    "notes": _notes,
    "emails": _emails,
    "pipelines": _pipelines,
    "pipeline_stages": _pipeline_stages,
    "users": _users,
    "products": _products,
    "price_books": _price_books,
    "price_book_entries": _price_book_entries,
    "quotes": _quotes,
    "quote_line_items": _quote_line_items,
    "opportunity_line_items": _opportunity_line_items,
    "milestones": _milestones,
    "lead_sources": _lead_sources,
    "lead_statuses": _lead_statuses,
    "opportunity_categories": _categories(_OPPORTUNITY_CATEGORIES),
    "project_categories": _categories(_PROJECT_CATEGORIES),
    "task_categories": _categories(_TASK_CATEGORIES),
    "opportunity_state_reasons": _opportunity_state_reasons,
    "relationships": _relationships,
    "teams": _teams,
    "team_members": _team_members,
    "activity_sets": _activity_sets,
    "countries": _countries,
    "currencies": _currencies,
    "tickets": _tickets,
    "prospects": _prospects,
    "knowledge_articles": _knowledge_articles,
}


# === the factory ========================================================================


class RecordFactory:
    """Seeded generator of realistic Insightly v3.1 records.

    Args:
        seed: Every value derives from it; different seeds give different data.
        now: The moment the data is generated at: an aware datetime (a naive one is
            taken as UTC; default: the real current time). Creation and update stamps lie
            before it; due dates and upcoming events may lie after it.

    Attributes:
        SEED_ORDER: Every catalog type name, ordered so that the types a record refers
            to come first (users and reference data, then organisations, contacts…).
            Seeding in this order lets each :meth:`make` call draw its references from
            the records made before it.

    Ids: records from :meth:`make` carry ``None`` in their id field, for the store to
    assign. :meth:`users` and :meth:`reference_data` return records with ids (realistic
    seven-digit values). Items inside generated records (``LINK_ID``, ``DATE_ID``,
    ``EMAIL_DOMAIN_ID``) get ids from a per-factory counter starting at 600,000,001. A
    generated link's ``OBJECT_ID`` and a record's ``LINKED_EMAIL_ADDRESS`` are built from
    the record's own id, so they are ``None`` until whoever stores the record fills them.
    """

    SEED_ORDER: tuple[str, ...] = (
        "users",
        "countries",
        "currencies",
        "relationships",
        "lead_sources",
        "lead_statuses",
        "opportunity_categories",
        "project_categories",
        "task_categories",
        "opportunity_state_reasons",
        "activity_sets",
        "pipelines",
        "pipeline_stages",
        "teams",
        "team_members",
        "organisations",
        "contacts",
        "products",
        "price_books",
        "price_book_entries",
        "opportunities",
        "opportunity_line_items",
        "quotes",
        "quote_line_items",
        "leads",
        "projects",
        "milestones",
        "emails",
        "tasks",
        "events",
        "notes",
        "tickets",
        "prospects",
        "knowledge_articles",
    )

    def __init__(self, seed: int = 0, *, now: datetime | None = None) -> None:
        if now is None:
            now = datetime.now(_UTC)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=_UTC)
        self.seed = seed
        self.now = now.astimezone(_UTC)
        self._cal = _Calendar(int(self.now.timestamp()))
        self._plans: dict[str, tuple[_Plan, _Kit]] = {}
        self._sub_ids = itertools.count(_SUB_ID_START)

    def _rng(self, purpose: str) -> random.Random:
        # One stream per purpose, so what one method returns does not depend on which
        # other methods were called before it.
        return random.Random(f"insightly-factory:{self.seed}:{purpose}")

    @functools.cached_property
    def _account(self) -> _Account:
        return _Account(self._rng("account"), self._cal)

    @functools.cached_property
    def _reference(self) -> _Reference:
        return _Reference(self._rng("reference"), self._cal)

    # --- users --------------------------------------------------------------------------

    def users(self) -> list[Record]:
        """The account's users, with ``USER_ID`` set (realistic seven-digit ids).

        The first is the administrator and account owner, the second a regular user, the
        third a user whose access is switched off (``ACTIVE`` false). Each has every field
        of the User schema.
        """
        rng = self._rng("users")
        kit = _Kit(rng, self._cal, {}, iter(()))
        account = self._account
        keys = _layout("users")
        user_id = 1_000_000 + rng.randrange(7_000_000)
        contact_id = 300_000_000 + rng.randrange(50_000_000)
        profile = 1_800_000 + rng.randrange(100_000)
        users: list[Record] = []
        for admin, active in ((True, True), (False, True), (False, False)):
            row = _Row()
            kit.person(row)
            kit.times(row)
            if admin:
                # The account owner signed up before anything else existed.
                row.created = row.updated = self._reference.created - _DAY
            dropbox = "".join(kit.pick(_LETTERS) for _ in range(6))
            users.append(
                _ordered(
                    keys,
                    {
                        "USER_ID": user_id,
                        "CONTACT_ID": contact_id,
                        "FIRST_NAME": row.first,
                        "LAST_NAME": row.last,
                        "TIMEZONE_ID": kit.pick(_TIMEZONES),
                        "EMAIL_ADDRESS": _work_email(row, account.domain),
                        "EMAIL_DROPBOX_IDENTIFIER": dropbox,
                        "EMAIL_DROPBOX_ADDRESS": f"dropbox-{dropbox.lower()}@mailbox.insight.ly",
                        "ADMINISTRATOR": admin,
                        "ACCOUNT_OWNER": admin,
                        "ACTIVE": active,
                        "DATE_CREATED_UTC": kit.cal.stamp(row.created),
                        "DATE_UPDATED_UTC": kit.cal.stamp(row.updated),
                        "USER_CURRENCY": "USD",
                        "CONTACT_DISPLAY": kit.pick(("FirstLast", "LastFirst")),
                        "CONTACT_ORDER": kit.pick(("FirstLast", "LastFirst")),
                        "TASK_WEEK_START": kit.pick((1, 2)),
                        "INSTANCE_ID": account.instance_id,
                        "PROFILE_ID": profile if admin else profile + 1,
                        "ROLE_ID": None if admin else profile + 17,
                    },
                )
            )
            user_id += 1 + rng.randrange(40)
            contact_id += 1 + rng.randrange(5_000)
        return users

    # --- reference data -----------------------------------------------------------------

    def reference_data(self, users: Sequence[Mapping[str, Any]]) -> dict[str, list[Record]]:
        """The lists an account starts with, ids assigned, by catalog type name.

        Pipelines (for opportunities and for projects) with their stages, lead sources and
        statuses, opportunity, project and task categories, opportunity state reasons
        (for WON, LOST, ABANDONED and SUSPENDED), relationships, countries, currencies,
        activity sets, and teams with their members (``TEAMMEMBERS`` holds copies of the
        ``team_members`` records). Owners are the first user; team members come from
        ``users``.

        The ids depend only on the seed, so :meth:`make` puts a record's stage in its own
        pipeline whenever ``refs`` holds these ids.
        """
        ids = [int(u["USER_ID"]) for u in users if u.get("USER_ID") is not None]
        return self._reference.records(ids)

    # --- custom fields ------------------------------------------------------------------

    def custom_field_definitions(self, object_name: str) -> list[Record]:
        """What ``GET /CustomFields/{object_name}`` returns: one field per FIELD_TYPE.

        Args:
            object_name: As in ``RecordType.custom_fields`` (``Contacts``,
                ``Opportunities``, ``Product``) or a custom object (``Fruit__c``).

        The fields depend only on ``object_name`` (contacts get the recorded account's
        own): TEXT, MULTISELECT, BIT, DROPDOWN, DATE, DATETIME, MULTILINETEXT, NUMERIC,
        PERCENT and AUTONUMBER, in that order; DROPDOWN and MULTISELECT carry options.
        ``FIELD_FOR`` is the singular object in upper case (``CONTACT``).
        """
        return copy.deepcopy(list(_definitions(object_name)))

    # --- records ------------------------------------------------------------------------

    def make(self, type_name: str, count: int, *, refs: Refs | None = None) -> list[Record]:
        """``count`` new records of a catalog type, or of a custom object (``Fruit__c``).

        Args:
            type_name: A catalog type name (``contacts``, ``price_books``) or a custom
                object name, whose fields are then :meth:`custom_field_definitions`.
            count: How many.
            refs: Existing ids by type name (``users``, ``organisations``,
                ``lead_sources``, ``pipelines``, ``pipeline_stages``…). Reference fields
                pick from them and stay ``None`` for types missing or empty here; a
                record's stage is one of its pipeline's own (see :meth:`reference_data`).

        Returns:
            Records with every key in wire order and ``None`` in the id field.

        Raises:
            KeyError: an unknown type.
            ValueError: a negative count, or ``refs`` lacks a type that a required field
                refers to (leads need ``lead_sources`` and ``lead_statuses``, quotes
                ``opportunities``…).
        """
        if count < 0:
            raise ValueError(f"count must be >= 0, not {count!r}")
        if type_name not in BY_NAME:
            if CUSTOM_OBJECT_NAME.fullmatch(type_name):
                definition = {"OBJECT_NAME": type_name, "RECORD_NAME_TYPE": "TEXT"}
                fields = _definitions(type_name)
                return self.make_custom_object_records(definition, fields, count, refs=refs)
            raise KeyError(f"unknown record type {type_name!r}")
        plan, kit = self._plan(type_name)
        return _run(plan, kit, count, refs, type_name)

    def make_custom_object_records(
        self,
        definition: Mapping[str, Any],
        fields: Sequence[Mapping[str, Any]],
        count: int,
        *,
        refs: Refs | None = None,
    ) -> list[Record]:
        """``count`` records of a custom object, shaped like the recorded ``Fruit__c`` ones.

        Args:
            definition: The object as ``GET /CustomObjects/{name}`` returns it
                (``OBJECT_NAME``; ``RECORD_NAME_TYPE`` AUTONUMBER gives numbered names).
            fields: Its custom field definitions; ``CUSTOMFIELDS`` follows them.
            count: How many.
            refs: Existing ids by type name (``users``, ``teams``).

        Returns:
            Records with ``RECORD_ID`` ``None``, ``RECORD_NAME``, owner, dates,
            visibility and ``CUSTOMFIELDS``.

        Raises:
            ValueError: a negative count, or ``OBJECT_NAME`` is not a custom object name.
        """
        if count < 0:
            raise ValueError(f"count must be >= 0, not {count!r}")
        name = definition.get("OBJECT_NAME")
        rtype = custom_object_type(name if isinstance(name, str) else "")
        key = f"custom:{rtype.name}"
        previous = self._plans.get(key)
        # The fields may change between calls; the object's random stream and counters
        # carry on.
        kit = previous[1] if previous else self._kit(f"make:{rtype.name}")
        plan = _custom_object_plan(self, kit, rtype, definition, fields)
        self._plans[key] = (plan, kit)
        return _run(plan, kit, count, refs, rtype.name)

    def _kit(self, purpose: str) -> _Kit:
        bound: dict[str, Sequence[int] | None] = {"users": None, "teams": None}
        return _Kit(self._rng(purpose), self._cal, bound, self._sub_ids)

    def _plan(self, type_name: str) -> tuple[_Plan, _Kit]:
        found = self._plans.get(type_name)
        if found is None:
            kit = self._kit(f"make:{type_name}")
            found = self._plans[type_name] = (_build_plan(self, kit, BY_NAME[type_name]), kit)
        return found


def _run(plan: _Plan, kit: _Kit, count: int, refs: Refs | None, type_name: str) -> list[Record]:
    if count == 0:
        return []
    given = refs or {}
    bound = plan.bound
    for name in bound:
        ids = given.get(name)
        bound[name] = ids if ids else None
    missing = [
        f"{field} needs refs[{ref!r}]"
        for field, ref in plan.required_refs.items()
        if not bound.get(ref)
    ]
    if missing:
        raise ValueError(f"cannot make {type_name}: " + "; ".join(missing))
    for bind in plan.per_call:
        bind()
    r = kit.r
    row = _Row()
    template = plan.template
    singles = plan.singles
    groups = plan.groups
    prelude = plan.prelude
    out: list[Record] = []
    append = out.append
    for _ in range(count):
        for step in prelude:
            step(row)
        rec = template.copy()
        for key, p, gen in singles:
            if p >= 1.0 or r() < p:
                rec[key] = gen(row)
        for keys, p, group in groups:
            if p >= 1.0 or r() < p:
                rec.update(zip(keys, group(row), strict=True))
        append(rec)
    return out
