from django.db import models


class BenchRow(models.Model):
    """The narrowest useful row: the baseline for inserts."""

    n = models.IntegerField()

    def __str__(self) -> str:
        return f"BenchRow {self.n}"
