"""The record engine's raw material: one record's shared facts, and the random helpers.

A :class:`Row` holds what the fields of one record share (its times, owner, person,
company and place); a :class:`Kit` draws them, and every other random value, from the
record type's own stream.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from insightly_async.testing.factories._calendar import DAY, HISTORY_SECONDS, Calendar
from insightly_async.testing.factories._people import (
    COMPANY_ENDINGS,
    COMPANY_HEADS,
    COMPANY_KINDS,
    COMPANY_TAILS,
    FIRST,
    FIRST_SLUGS,
    FREE_MAIL,
    LAST,
    LAST_SLUGS,
    LETTERS,
    PLACES,
    STREET_KINDS_EN,
    STREETS_DE,
    STREETS_EN,
    STREETS_FR,
    STREETS_NL,
    TLDS,
    Place,
    ascii_slug,
)
from insightly_async.testing.factories._phrases import SENTENCES

__all__ = ["Gen", "GroupGen", "Kit", "Record", "Row", "work_email"]

Record = dict[str, Any]
#: The value of one field, from what its record's fields share.
Gen = Callable[["Row"], Any]
#: The values of fields that must agree with each other, in their order.
GroupGen = Callable[["Row"], Sequence[Any]]


class Row:
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
        self.place: Place = PLACES[0]


class Kit:
    """The random helpers of one record type: its own RNG stream, calendar and refs."""

    def __init__(
        self,
        rng: random.Random,
        cal: Calendar,
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

    def weighted(self, table: Sequence[tuple[str, float]]) -> str:
        """A name from ``(name, cumulative weight)`` pairs, the last weight being 1."""
        x = self.r()
        return next(name for name, weight in table if x < weight)

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

        def gen(row: Row) -> int | None:
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
        text = " ".join(SENTENCES[int(r() * len(SENTENCES))] for _ in range(n))
        if len(text) > max_length:
            text = text[:max_length].rsplit(" ", 1)[0]
        return text

    # --- people, companies, places ---------------------------------------------------

    def dropbox(self) -> tuple[str, str]:
        """A user's e-mail dropbox: its identifier and its address."""
        ident = "".join(self.pick(LETTERS) for _ in range(6))
        return (ident, f"dropbox-{ident.lower()}@mailbox.insight.ly")

    def person(self, row: Row) -> None:
        r = self.r
        first, female = FIRST[int(r() * len(FIRST))]
        last = LAST[int(r() * len(LAST))]
        row.first, row.last, row.female = first, last, female
        if r() < 0.35:
            f, s = FIRST_SLUGS[first], LAST_SLUGS[last]
            x = r()
            local = f"{f}.{s}" if x < 0.5 else f"{f}{s}" if x < 0.7 else f"{f[0]}{s}"
            if r() < 0.3:
                local += str(int(r() * 90) + 10)
            row.email = f"{local}@{FREE_MAIL[int(r() * len(FREE_MAIL))]}"
        else:
            # Filled with a work address by `company`, which runs next.
            row.email = ""

    def company(self, row: Row) -> None:
        r = self.r
        head = COMPANY_HEADS[int(r() * len(COMPANY_HEADS))]
        tail = COMPANY_TAILS[int(r() * len(COMPANY_TAILS))]
        kind = COMPANY_KINDS[int(r() * len(COMPANY_KINDS))]
        ending = COMPANY_ENDINGS[int(r() * len(COMPANY_ENDINGS))]
        short = head + tail
        row.short = short
        row.company = f"{short} {kind}{ending}"
        slug = short.lower() + (ascii_slug(kind) if r() < 0.4 else "")
        row.domain = slug + TLDS[int(r() * len(TLDS))]
        if not row.email and row.first:
            f, s = FIRST_SLUGS[row.first], LAST_SLUGS[row.last]
            row.email = f"{f}.{s}@{row.domain}" if r() < 0.7 else f"{f[0]}{s}@{row.domain}"

    def place(self, row: Row) -> None:
        row.place = PLACES[int(self.r() * len(PLACES))]

    def phone(self, row: Row) -> str:
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

    def postcode(self, place: Place) -> str:
        r = self.r
        style, base = place[3], place[4]
        letters = LETTERS
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

    def street(self, place: Place) -> str:
        r = self.r
        number = int(r() * 2_400) + 1 if r() < 0.5 else int(r() * 200) + 1
        style = place[7]
        if style == "de":
            return f"{STREETS_DE[int(r() * len(STREETS_DE))]} {number % 150 + 1}"
        if style == "fr":
            return f"{number % 150 + 1} {STREETS_FR[int(r() * len(STREETS_FR))]}"
        if style == "nl":
            return f"{STREETS_NL[int(r() * len(STREETS_NL))]} {number % 400 + 1}"
        name = STREETS_EN[int(r() * len(STREETS_EN))]
        kind = STREET_KINDS_EN[int(r() * len(STREET_KINDS_EN))]
        if r() < 0.12:
            return f"{number} {name} {kind}, Suite {int(r() * 900) + 100}"
        return f"{number} {name} {kind}"

    # --- times ------------------------------------------------------------------------

    def times(self, row: Row) -> None:
        r = self.r
        now = self.cal.now
        created = now - 3_600 - int(r() * HISTORY_SECONDS)
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

    def owners(self, row: Row) -> None:
        ids = self.bound["users"]
        if ids:
            r = self.r
            n = len(ids)
            owner = ids[int(r() * n)]
            row.owner = owner
            row.creator = owner if r() < 0.8 else ids[int(r() * n)]
        else:
            row.owner = row.creator = None

    def between(self, row: Row) -> int:
        """An epoch second between the record's creation and now."""
        return row.created + int((self.cal.now - 1 - row.created) * self.r())

    def soon(self, days: int) -> int:
        """An epoch second within ``days`` after now."""
        return self.cal.now + 3_600 + int(self.r() * days * DAY)


def work_email(row: Row, domain: str) -> str:
    """The work address of the person of ``row`` at ``domain``."""
    return f"{FIRST_SLUGS[row.first]}.{LAST_SLUGS[row.last]}@{domain}"
