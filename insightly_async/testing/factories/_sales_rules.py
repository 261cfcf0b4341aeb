"""Rules of the sales catalogue: products, price books and their entries, quotes and
line items."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from insightly_async.testing.factories._calendar import DAY
from insightly_async.testing.factories._engine import Builder
from insightly_async.testing.factories._kit import GroupGen, Kit, Row
from insightly_async.testing.factories._phrases import (
    OPPORTUNITY_DEALS,
    PRICE_BOOKS,
    PRODUCT_VARIANTS,
    PRODUCTS,
)

__all__ = ["RULES"]


def _products(b: Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("DESCRIPTION", 0.5, lambda row: kit.prose(2))
    b.const("CURRENCY_CODE", "USD")
    b.set("ACTIVE", 1.0, lambda row: r() < 0.9)

    def product(row: Row) -> tuple[str, str, str, str, float]:
        family, code, name, price = kit.pick(PRODUCTS)
        variant = kit.pick(PRODUCT_VARIANTS)
        number = int(r() * 9_000) + 1_000
        factor = 10.0 if "Annual" in variant else 1.0
        return (name + variant, f"{code}-{number}", f"SKU-{number}{int(r() * 90) + 10}",
                family, price * factor)  # fmt: skip

    b.group(
        ("PRODUCT_NAME", "PRODUCT_CODE", "PRODUCT_SKU", "PRODUCT_FAMILY", "DEFAULT_PRICE"),
        1.0,
        product,
    )


def _price_books(b: Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("DESCRIPTION", 0.4, lambda row: kit.prose(1))
    b.set("ACTIVE", 1.0, lambda row: r() < 0.9)

    def book(row: Row) -> tuple[str, str, bool]:
        # The first price book of an account is its standard one.
        number = kit.count("price_book")
        if number == 1:
            return (PRICE_BOOKS[0], "USD", True)
        name = PRICE_BOOKS[1 + (number - 2) % (len(PRICE_BOOKS) - 1)]
        if number > len(PRICE_BOOKS):
            name += f" {2020 + number % 7}"
        return (name, "EUR" if "EU" in name else "USD", False)

    b.group(("NAME", "CURRENCY_CODE", "IS_STANDARD"), 1.0, book)


def _price_book_entries(b: Builder) -> None:
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


def _quotes(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_person = b.need_company = True
    b.set("QUOTATION_NAME", 1.0, lambda row: f"{row.short} - {kit.pick(OPPORTUNITY_DEALS)}")
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

    def totals(row: Row) -> tuple[Any, ...]:
        subtotal = kit.amount(200, 80_000)
        discount = 0.0 if r() < 0.6 else round(subtotal * kit.pick((0.05, 0.1, 0.15)), 2)
        total = round(subtotal - discount, 2)
        shipping = kit.amount(10, 500) if r() < 0.3 else 0.0
        tax = round(total * kit.pick((0.0, 0.05, 0.0825, 0.1, 0.2)), 2)
        return (
            kit.pick(_QUOTE_STATUSES),
            cal.day(row.created + 30 * DAY),
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


def _line_totals(kit: Kit) -> GroupGen:
    r = kit.r

    def gen(row: Row) -> tuple[float, float, float, float, float, float]:
        quantity = float(kit.pick((1, 1, 1, 2, 3, 5, 10, 25)))
        list_price = kit.amount(10, 5_000)
        unit = list_price if r() < 0.7 else round(list_price * 0.9, 2)
        subtotal = round(quantity * unit, 2)
        discount = 0.0 if r() < 0.75 else round(subtotal * 0.05, 2)
        return (quantity, list_price, unit, subtotal, discount, round(subtotal - discount, 2))

    return gen


_LINE_KEYS: Final = ("QUANTITY", "LIST_PRICE", "UNIT_PRICE", "SUBTOTAL", "DISCOUNT", "TOTAL_PRICE")


def _quote_line_items(b: Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.ref("QUOTE_ID", "quotes")
    b.ref("OPPORTUNITY_ITEM_ID", "opportunity_line_items", 0.2)
    b.ref("PRICEBOOK_ENTRY_ID", "price_book_entries")
    b.set("DESCRIPTION", 0.3, lambda row: kit.pick(PRODUCTS)[2])
    b.const("CURRENCY_CODE", "USD")
    b.set("SORT_ORDER", 1.0, lambda row: 1 + int(r() * 6))
    b.group(_LINE_KEYS, 1.0, _line_totals(kit))


def _opportunity_line_items(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.ref("OPPORTUNITY_ID", "opportunities")
    b.ref("PRICEBOOK_ENTRY_ID", "price_book_entries")
    b.const("CURRENCY_CODE", "USD")
    b.set("DESCRIPTION", 0.3, lambda row: kit.pick(PRODUCTS)[2])
    b.set("SERVICE_DATE", 0.2, lambda row: cal.day(row.created + int(r() * 60) * DAY))
    b.group(_LINE_KEYS, 1.0, _line_totals(kit))


RULES: Final[Mapping[str, Callable[[Builder], None]]] = {
    "products": _products,
    "price_books": _price_books,
    "price_book_entries": _price_book_entries,
    "quotes": _quotes,
    "quote_line_items": _quote_line_items,
    "opportunity_line_items": _opportunity_line_items,
}
