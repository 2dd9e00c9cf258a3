import datetime as dt
from zoneinfo import ZoneInfo

from autodcc.core.workhours import OpeningHours, add_open_minutes, is_open_day, open_minutes_between

SH = ZoneInfo("Asia/Shanghai")
HOURS = OpeningHours(dt.time(8, 30), dt.time(18, 0), "1234567")
WEEKDAYS_ONLY = OpeningHours(dt.time(9, 0), dt.time(17, 0), "12345")


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_minutes_inside_one_day():
    assert add_open_minutes(at(2026, 11, 24, 10), 30, HOURS) == at(2026, 11, 24, 10, 30)


def test_after_closing_the_clock_waits_for_the_next_opening():
    assert add_open_minutes(at(2026, 11, 24, 17, 50), 30, HOURS) == at(2026, 11, 25, 8, 50)
    assert add_open_minutes(at(2026, 11, 24, 22, 0), 30, HOURS) == at(2026, 11, 25, 9, 0)


def test_official_holidays_are_skipped_and_make_up_workdays_count():
    # National Day 2026: 1–7 October are holidays; Sunday 27 Sep and Saturday 10 Oct are make-up workdays
    assert not is_open_day(dt.date(2026, 10, 1), "1234567")
    assert add_open_minutes(at(2026, 9, 30, 17, 50), 30, HOURS) == at(2026, 10, 8, 8, 50)
    assert is_open_day(dt.date(2026, 10, 10), "12345")  # a Saturday, but a make-up workday
    assert not is_open_day(dt.date(2026, 10, 11), "12345")


def test_weekends_follow_the_dealers_opening_days():
    friday_late = at(2026, 11, 27, 16, 50)
    assert add_open_minutes(friday_late, 30, WEEKDAYS_ONLY) == at(2026, 11, 30, 9, 20)
    assert add_open_minutes(friday_late, 30, HOURS) == at(2026, 11, 27, 17, 20)


def test_elapsed_opening_minutes_skip_the_night():
    assert open_minutes_between(at(2026, 11, 24, 17, 0), at(2026, 11, 25, 9, 0), HOURS) == 90
    assert open_minutes_between(at(2026, 11, 25, 9, 0), at(2026, 11, 24, 9, 0), HOURS) == 0


def test_years_beyond_the_calendar_fall_back_to_weekdays():
    assert is_open_day(dt.date(2031, 1, 6), "12345")
