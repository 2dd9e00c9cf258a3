"""First-party storefront analytics (KPI-5): visitor events with consent, buffered and written in
batches, and daily rollups for the console."""
