"""Reading and writing the spreadsheets staff exchange: CSV (UTF-8 or GB18030) and Excel (.xlsx)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from autodcc.core.errors import DomainError


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it (header is row 1)
    values: dict[str, Any]  # canonical key → cell value (str, number, date or None)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("import.unreadable", field="file")


def _cell(value: Any) -> Any:
    """A cell as the file means it: padding and a leading backtick (WeChat Pay's bills mark every
    value so, Alipay's pad with tabs) are not part of the value."""
    return value.strip().lstrip("`").strip() if isinstance(value, str) else value


def read_rows(upload: BinaryIO, filename: str, columns: Mapping[str, str], required: Iterable[str], *,
              comment: str = "", end_marker: str = "") -> list[Row]:
    """Rows keyed by canonical column names. ``columns`` maps every accepted header (Chinese or
    English, case-insensitive) to its canonical key; a missing required header is an error.
    ``comment``: lines whose first cell starts with it (a provider's preamble and totals) are
    skipped; ``end_marker``: the table ends at a line whose first cell starts with it (a totals
    block). Rows keep their line numbers in the file."""
    data = upload.read()
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            raw = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception:
            raise DomainError("import.unreadable", field="file") from None
    else:
        raw = [list(r) for r in csv.reader(io.StringIO(_decode(data)))]
    numbered: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(raw, start=1):
        cells = [_cell(c) for c in cells]
        first = str(cells[0] or "") if cells else ""
        if end_marker and numbered and first.startswith(end_marker):
            break
        if comment and first.startswith(comment):
            continue
        if not numbered and all(c in (None, "") for c in cells):
            continue  # blank lines before the header
        numbered.append((number, cells))
    while numbered and all(c in (None, "") for c in numbered[-1][1]):
        numbered.pop()
    if not numbered:
        raise DomainError("import.no_rows", field="file")
    table = [cells for _n, cells in numbered]
    lookup = {k.strip().lower(): v for k, v in columns.items()}
    header = [lookup.get(str(h or "").strip().lower()) for h in table[0]]
    labels: dict[str, str] = {}
    for name, key in columns.items():
        labels.setdefault(key, name)  # the first alias given is the one to name in errors
    for key in required:
        if key not in header:
            raise DomainError("import.bad_header", field="file", value=labels.get(key, key))
    rows: list[Row] = []
    for number, cells in numbered[1:]:
        if all(c in (None, "") for c in cells):
            continue
        values = {key: (c.strip() if isinstance(c, str) else c) for key, c in zip(header, cells, strict=False) if key}
        rows.append(Row(number, {k: (None if v == "" else v) for k, v in values.items()}))
    if not rows:
        raise DomainError("import.no_rows", field="file")
    return rows


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError("value.not_a_number", value=value) from None


def to_time(value: Any) -> dt.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    text = str(value).strip().replace("：", ":")
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise DomainError("value.not_a_time", value=value)


_YES = {"1", "y", "yes", "true", "是", "√", "x"}
_NO = {"0", "n", "no", "false", "否", ""}


def to_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise DomainError("value.not_a_bool", value=value)


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook with a bold, filled header row and a frozen header."""
    return xlsx_book([(title, header, rows)])


def xlsx_book(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], *,
              bold_last: Sequence[bool] = (), percent_columns: Mapping[int, Sequence[int]] | None = None) -> bytes:
    """A workbook of several sheets, each as ``xlsx_bytes`` makes one; ``bold_last[i]``: the
    sheet's last row is a totals row (bold); ``percent_columns[i]``: the sheet's columns (1-based)
    holding shares (0.123), shown as percentages and still numbers to sort and sum."""
    book = Workbook(write_only=False)
    book.remove(book.active)
    for index, (title, header, rows) in enumerate(sheets):
        sheet = book.create_sheet("".join("_" if ch in '[]:*?/\\' else ch for ch in title)[:31] or "Sheet")
        sheet.append([str(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for row in rows:
            sheet.append(list(row))  # Decimals stay numbers (exact in the file; Excel sorts and sums them)
        for col in (percent_columns or {}).get(index, ()):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = "0.0%"
        if index < len(bold_last) and bold_last[index] and sheet.max_row > 1:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_errors_xlsx(errors: Iterable[Mapping[str, Any]]) -> bytes:
    """An import job's row-by-row problems as a workbook (row, column, problem)."""
    from django.utils.translation import gettext as _g

    return xlsx_bytes(_g("Import errors"), [_g("Row"), _g("Column"), _g("Problem")],
                      ([e["row"], e["column"], e["message"]] for e in errors))
