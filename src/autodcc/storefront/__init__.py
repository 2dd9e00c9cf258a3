"""The consumer-facing online store (CAT-1..6, TD-1..3): browse, compare, price, book, enquire."""
