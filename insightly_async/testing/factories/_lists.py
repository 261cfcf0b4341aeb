"""The lists an account starts with: countries, currencies, pipelines, statuses, teams.

Reference data, as the factory's ``reference_data`` lays it out; the rules of the same
types draw from these lists too, so a generated lead source looks like the seeded ones.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACTIVITY_SETS",
    "COUNTRIES",
    "CURRENCIES",
    "LEAD_SOURCES",
    "LEAD_STATUSES",
    "OPPORTUNITY_CATEGORIES",
    "PIPELINES",
    "PROJECT_CATEGORIES",
    "RELATIONSHIPS",
    "STATE_REASONS",
    "TASK_CATEGORIES",
    "TEAM_NAMES",
]

COUNTRIES: Final = (
    "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile", "China",
    "Denmark", "Finland", "France", "Germany", "Greece", "Hong Kong", "India", "Ireland",
    "Israel", "Italy", "Japan", "Kenya", "Mexico", "Netherlands", "New Zealand", "Nigeria",
    "Norway", "Poland", "Portugal", "Singapore", "South Africa", "South Korea", "Spain",
    "Sweden", "Switzerland", "United Arab Emirates", "United Kingdom", "United States",
)  # fmt: skip
CURRENCIES: Final = (
    ("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("AUD", "$"), ("CAD", "$"), ("NZD", "$"),
    ("JPY", "¥"), ("CHF", "CHF"), ("SEK", "kr"), ("INR", "₹"), ("SGD", "$"), ("ZAR", "R"),
)  # fmt: skip

# (name, for opportunities, for projects, stage names)
PIPELINES: Final = (
    ("Sales Pipeline", True, False,
     ("Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closing")),
    ("Renewals", True, False, ("Renewal Due", "Quote Sent", "Verbal Commitment")),
    ("Client Onboarding", False, True, ("Kickoff", "Configuration", "Training", "Go-live")),
    ("Implementation", False, True, ("Planning", "Build", "Testing", "Launch")),
)  # fmt: skip
LEAD_SOURCES: Final = (
    "Web", "Referral", "Trade Show", "Advertisement", "Partner", "Cold Call",
    "Email Campaign", "Social Media",
)  # fmt: skip
# (status, STATUS_TYPE): 1 open, 2 closed, 3 converted. The numbering is a guess; the
# spec documents no values.
LEAD_STATUSES: Final = (
    ("Open - Not Contacted", 1),
    ("Working - Contacted", 1),
    ("Qualified", 1),
    ("Unqualified", 2),
    ("Converted", 3),
)
OPPORTUNITY_CATEGORIES: Final = (
    ("New Business", "2E86C1", True),
    ("Upsell", "28B463", True),
    ("Renewal", "F39C12", True),
    ("Services", "8E44AD", True),
    ("Partner Deal", "17A589", True),
    ("Legacy", "7F8C8D", False),
)
PROJECT_CATEGORIES: Final = (
    ("Implementation", "1F618D", True),
    ("Consulting", "D35400", True),
    ("Internal", "7F8C8D", True),
    ("Support", "C0392B", True),
    ("Training", "27AE60", True),
)
TASK_CATEGORIES: Final = (
    ("Call", "3498DB", True),
    ("Email", "9B59B6", True),
    ("Meeting", "E67E22", True),
    ("Follow-up", "1ABC9C", True),
    ("To-do", "95A5A6", True),
    ("Deadline", "E74C3C", True),
)
STATE_REASONS: Final = (
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
RELATIONSHIPS: Final = (
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
ACTIVITY_SETS: Final = (
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
TEAM_NAMES: Final = ("Sales", "Customer Support", "Management")
