"""Vocabulary of what records say: titles, subjects, prose, products and tags."""

from __future__ import annotations

from typing import Final

__all__ = [
    "ARTICLE_TITLES",
    "BID_CURRENCIES",
    "COLOURS",
    "EMAIL_SUBJECTS",
    "EVENT_PLACES",
    "EVENT_TITLES",
    "INDUSTRIES",
    "JOB_TITLES",
    "LINK_ROLES",
    "MILESTONE_TITLES",
    "NAME_ADJECTIVES",
    "NAME_NOUNS",
    "NOTE_TITLES",
    "OCCASIONS",
    "OPPORTUNITY_DEALS",
    "PRICE_BOOKS",
    "PRODUCTS",
    "PRODUCT_VARIANTS",
    "PROJECT_KINDS",
    "SENTENCES",
    "TAGS",
    "TASK_TITLES",
    "TICKET_SUBJECTS",
    "TIMEZONES",
]

JOB_TITLES: Final = (
    "CEO", "CFO", "CTO", "COO", "Founder", "Owner", "Managing Director", "General Manager",
    "VP of Sales", "VP Marketing", "Head of Operations", "Sales Manager",
    "Account Executive", "Account Manager", "Marketing Manager", "Office Manager",
    "Operations Manager", "Project Manager", "Product Manager", "Software Engineer",
    "IT Manager", "IT Director", "Procurement Manager", "Purchasing Agent", "HR Manager",
    "Finance Director", "Controller", "Customer Success Manager",
    "Business Development Manager", "Administrative Assistant", "Consultant", "Partner",
    "Director of Engineering", "Facilities Manager", "Chief Revenue Officer",
)  # fmt: skip
INDUSTRIES: Final = (
    "Software", "Manufacturing", "Retail", "Healthcare", "Financial Services", "Education",
    "Construction", "Hospitality", "Logistics", "Real Estate", "Non-profit", "Agriculture",
    "Media", "Telecommunications", "Energy", "Legal Services", "Consulting", "Automotive",
)  # fmt: skip
SENTENCES: Final = (
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
TAGS: Final = (
    "Paris", "Washington", "Warsaw", "Ottawa", "London", "Berlin", "Sydney", "Toronto",
    "Austin", "Dublin", "VIP", "Newsletter", "Partner", "Referral", "Trade Show 2024",
    "Webinar", "Enterprise", "SMB", "Hot Lead", "Renewal", "Key Account", "Do Not Call",
    "Reseller", "Beta Tester", "Event Attendee",
)  # fmt: skip
BID_CURRENCIES: Final = ("USD", "USD", "USD", "USD", "USD", "USD", "EUR", "GBP", "AUD", "CAD")
TIMEZONES: Final = (
    "Eastern Standard Time", "Pacific Standard Time", "Central Standard Time",
    "GMT Standard Time", "AUS Eastern Standard Time", "W. Europe Standard Time",
)  # fmt: skip
OPPORTUNITY_DEALS: Final = (
    "50 seat license", "Annual renewal", "Professional services", "Support upgrade",
    "Enterprise plan", "Pilot", "Expansion", "Hardware refresh", "Consulting package",
    "Training bundle", "Multi-year agreement", "Add-on modules",
)  # fmt: skip
PROJECT_KINDS: Final = (
    "Website redesign", "CRM rollout", "Office relocation", "Onboarding", "Data migration",
    "Annual audit", "Marketing campaign", "ERP integration", "Training programme",
    "Network upgrade", "Mobile app launch", "Support retainer",
)  # fmt: skip
TASK_TITLES: Final = (
    "Follow up on proposal", "Send contract for signature", "Schedule product demo",
    "Prepare quarterly review", "Call to discuss renewal", "Email pricing sheet",
    "Update account details", "Book onsite visit", "Review support tickets",
    "Chase overdue invoice", "Send welcome pack", "Confirm meeting agenda",
    "Draft statement of work", "Collect requirements", "Check in after onboarding",
)  # fmt: skip
EVENT_TITLES: Final = (
    "Product demo", "Quarterly business review", "Discovery call", "Kickoff meeting",
    "Lunch meeting", "Contract negotiation", "Training session", "Site visit", "Webinar",
    "Team sync", "Conference booth", "Renewal discussion",
)  # fmt: skip
EVENT_PLACES: Final = (
    "Zoom", "Microsoft Teams", "Google Meet", "Phone", "Head office", "Client site",
    "Conference room 2",
)  # fmt: skip
NOTE_TITLES: Final = (
    "Call notes", "Meeting summary", "Requirements", "Pricing discussion", "Feedback",
    "Next steps", "Internal notes", "Onboarding notes", "Support escalation",
    "Contract terms",
)  # fmt: skip
EMAIL_SUBJECTS: Final = (
    "Re: Proposal", "Meeting follow-up", "Re: Pricing question", "Your demo recording",
    "Welcome aboard", "Re: Contract renewal", "Agenda for Thursday",
    "Fwd: Requirements document", "Thanks for your time today",
    "Quick question about your order", "Invoice attached", "Re: Support case update",
)  # fmt: skip
MILESTONE_TITLES: Final = (
    "Kickoff complete", "Requirements signed off", "Design approved", "Build complete",
    "User acceptance testing", "Go-live", "Training delivered", "Project closed",
)  # fmt: skip
PRODUCTS: Final = (
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
PRODUCT_VARIANTS: Final = ("", "", "", " - Annual", " - Monthly", " (EU)", " v2", " Bundle")
PRICE_BOOKS: Final = (
    "Standard Price Book", "Partner Price List", "EU Price List", "Non-profit Discount",
    "Wholesale 2025", "Government Pricing", "Reseller Tier 2",
)  # fmt: skip
TICKET_SUBJECTS: Final = (
    "Cannot log in", "Invoice shows the wrong amount", "Feature request: export to CSV",
    "Sync error with calendar", "Password reset email not received",
    "Reports are slow to load", "How do I add a new user?", "Mobile app crashes on launch",
    "Question about my subscription", "Integration stopped working",
)  # fmt: skip
ARTICLE_TITLES: Final = (
    "Getting started with your account", "How to reset your password",
    "Importing contacts from a spreadsheet", "Setting up email integration",
    "Understanding user permissions", "Troubleshooting sync errors",
    "Managing your subscription", "Exporting your data",
    "Configuring two-factor authentication", "Using custom fields",
)  # fmt: skip
NAME_ADJECTIVES: Final = (
    "Amber", "Crimson", "Golden", "Silver", "Emerald", "Misty", "Sunny", "Quiet", "Bold",
    "Rapid", "Gentle", "Northern", "Royal", "Wild", "Bright",
)  # fmt: skip
NAME_NOUNS: Final = (
    "Orchard", "Harbor", "Falcon", "Meadow", "Summit", "River", "Canyon", "Maple",
    "Comet", "Willow", "Beacon", "Lantern", "Prairie", "Cedar", "Delta",
)  # fmt: skip
COLOURS: Final = ("Red", "Green", "Yellow", "Orange", "Purple", "Blue", "Pink", "Brown")
LINK_ROLES: Final = (
    "Decision Maker", "Champion", "Technical Contact", "Billing Contact", "Influencer",
    "Employee", None, None,
)  # fmt: skip
OCCASIONS: Final = ("Anniversary", "Birthday", "Contract renewal", "Founded", "First order")
