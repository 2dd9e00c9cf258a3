"""The console's forms, one module per module of ``views``."""
