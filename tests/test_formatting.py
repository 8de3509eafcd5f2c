"""Unit tests for revital.formatting: French dates and numbers for the templates."""

import os
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from revital.formatting import (
    FILTERS,
    GLOBALS,
    MONTHS,
    clock_fr,
    coords_fr,
    date_fr,
    datetime_fr,
    day_fr,
    iso,
    number_fr,
    span_fr,
)

NNBSP = "\u202f"  # narrow no-break space


@pytest.fixture
def process_timezone():
    """Set the process's local time zone for one test, then restore it."""
    saved = os.environ.get("TZ")

    def set_tz(name):
        os.environ["TZ"] = name
        time.tzset()

    yield set_tz
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


# --- date_fr --------------------------------------------------------------------------


def test_date_fr_none():
    assert date_fr(None) == ""


def test_date_fr_first_of_month_is_1er():
    assert date_fr(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) == "1er janvier 2026"


def test_date_fr_other_days_are_plain_numbers():
    assert date_fr(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)) == "2 mars 2026"
    assert date_fr(datetime(2026, 8, 15, 12, 0, tzinfo=UTC)) == "15 août 2026"
    assert date_fr(datetime(2026, 12, 31, 10, 0, tzinfo=UTC)) == "31 décembre 2026"


def test_date_fr_eleventh_and_twenty_first_are_not_1er():
    assert date_fr(datetime(2026, 5, 11, 12, tzinfo=UTC)) == "11 mai 2026"
    assert date_fr(datetime(2026, 5, 21, 12, tzinfo=UTC)) == "21 mai 2026"


@pytest.mark.parametrize("month", range(1, 13))
def test_date_fr_every_month(month):
    assert date_fr(datetime(2026, month, 10, 12, tzinfo=UTC)) == f"10 {MONTHS[month - 1]} 2026"


def test_months_are_french_and_lowercase():
    assert MONTHS == [
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ]


def test_date_fr_converts_to_paris_across_midnight_summer():
    # 23:30 UTC is 01:30 in Paris (UTC+2) the next day, and the next month.
    assert date_fr(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1er juillet 2026"


def test_date_fr_converts_to_paris_across_midnight_winter():
    # 23:30 UTC is 00:30 in Paris (UTC+1): new year.
    assert date_fr(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "1er janvier 2026"
    # 22:59 UTC is still 23:59 in Paris.
    assert date_fr(datetime(2025, 12, 31, 22, 59, tzinfo=UTC)) == "31 décembre 2025"


def test_date_fr_summer_offset_is_two_hours():
    assert date_fr(datetime(2026, 7, 14, 21, 59, tzinfo=UTC)) == "14 juillet 2026"
    assert date_fr(datetime(2026, 7, 14, 22, 0, tzinfo=UTC)) == "15 juillet 2026"


def test_date_fr_naive_is_taken_as_utc():
    assert date_fr(datetime(2026, 6, 30, 23, 30)) == "1er juillet 2026"


def test_date_fr_other_time_zone_input():
    new_york = timezone(timedelta(hours=-4))
    # 20:00 in New York is 02:00 the next day in Paris.
    assert date_fr(datetime(2026, 6, 30, 20, 0, tzinfo=new_york)) == "1er juillet 2026"


# --- datetime_fr ----------------------------------------------------------------------


def test_datetime_fr_none():
    assert datetime_fr(None) == ""


def test_datetime_fr_summer():
    assert datetime_fr(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1er juillet 2026 à 1 h 30"


def test_datetime_fr_winter():
    assert datetime_fr(datetime(2026, 1, 15, 8, 5, tzinfo=UTC)) == "15 janvier 2026 à 9 h 05"


def test_datetime_fr_minutes_zero_padded_hour_not():
    assert datetime_fr(datetime(2026, 2, 3, 6, 0, tzinfo=UTC)) == "3 février 2026 à 7 h 00"


def test_datetime_fr_afternoon_uses_24_hours():
    assert datetime_fr(datetime(2026, 10, 9, 14, 45, tzinfo=UTC)) == "9 octobre 2026 à 16 h 45"


def test_datetime_fr_midnight_in_paris():
    assert datetime_fr(datetime(2025, 12, 31, 23, 0, tzinfo=UTC)) == "1er janvier 2026 à 0 h 00"


def test_datetime_fr_dst_change():
    # Clocks go forward on 29 March 2026 at 01:00 UTC.
    assert datetime_fr(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == "29 mars 2026 à 1 h 30"
    assert datetime_fr(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == "29 mars 2026 à 3 h 30"


def test_datetime_fr_naive_utc_in_utc_process(process_timezone):
    # Consistent with date_fr when the server runs in UTC.
    process_timezone("UTC")
    assert datetime_fr(datetime(2026, 6, 30, 23, 30)) == "1er juillet 2026 à 1 h 30"


def test_datetime_fr_naive_is_utc_whatever_the_server_time_zone(process_timezone):
    process_timezone("America/New_York")
    assert datetime_fr(datetime(2026, 6, 30, 23, 30)) == "1er juillet 2026 à 1 h 30"


def test_date_fr_naive_is_utc_whatever_the_server_time_zone(process_timezone):
    process_timezone("America/New_York")
    assert date_fr(datetime(2026, 6, 30, 23, 30)) == "1er juillet 2026"


# --- number_fr ------------------------------------------------------------------------


def test_number_fr_none():
    assert number_fr(None) == ""


def test_number_fr_zero_is_not_empty():
    assert number_fr(0) == "0"


def test_number_fr_small():
    assert number_fr(7) == "7"
    assert number_fr(999) == "999"


def test_number_fr_thousands_narrow_no_break_space():
    assert number_fr(1000) == f"1{NNBSP}000"
    assert number_fr(1234567) == f"1{NNBSP}234{NNBSP}567"


def test_number_fr_no_comma_and_no_plain_space():
    out = number_fr(12345678)
    assert "," not in out
    assert " " not in out
    assert "\u00a0" not in out
    assert out.count(NNBSP) == 2


def test_number_fr_negative():
    assert number_fr(-2500) == f"-2{NNBSP}500"


def test_number_fr_float_uses_decimal_comma():
    assert number_fr(1234.5) == f"1{NNBSP}234,5"


# --- coords_fr ------------------------------------------------------------------------


def test_coords_fr_latitude_first_with_decimal_comma_and_five_decimals():
    assert coords_fr((3.563354, 44.456412)) == "44,45641 N, 3,56335 E"


def test_coords_fr_reads_lon_and_lat_attributes():
    class Place:
        lon, lat = 3.5, 44.45

    assert coords_fr(Place()) == "44,45000 N, 3,50000 E"


def test_coords_fr_west_and_south():
    assert coords_fr((-1.553621, 47.218371)) == "47,21837 N, 1,55362 O"  # Nantes: ouest, not W
    assert coords_fr((55.448, -20.882)) == "20,88200 S, 55,44800 E"  # La Réunion


def test_coords_fr_rounds_to_the_nearest():
    assert coords_fr((3.000006, 44.999996)) == "45,00000 N, 3,00001 E"


def test_coords_fr_zero_has_no_minus_and_takes_north_and_east():
    assert coords_fr((-0.000001, -0.000004)) == "0,00000 N, 0,00000 E"


def test_coords_fr_nothing_to_show():
    assert coords_fr(None) == ""
    assert coords_fr((None, None)) == ""


# --- iso and FILTERS ------------------------------------------------------------------


def test_iso():
    value = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert iso(value) == "2026-06-30T23:30:00+00:00"
    assert iso(None) == ""


def test_filters_registered():
    assert FILTERS == {"date_fr": date_fr, "day_fr": day_fr, "datetime_fr": datetime_fr, "number_fr": number_fr,
                       "iso": iso, "coords_fr": coords_fr, "clock_fr": clock_fr}
    assert GLOBALS == {"span_fr": span_fr}


def test_clock_times_in_paris():
    assert clock_fr(datetime(2027, 1, 10, 17, 0, tzinfo=UTC)) == "18 h"
    assert clock_fr(datetime(2027, 7, 10, 7, 5, tzinfo=UTC)) == "9 h 05"


@pytest.mark.parametrize(("value", "shown"), [(date(2027, 3, 1), "1er mars 2027"), (date(2027, 12, 31), "31 décembre 2027"),
                                              (None, "")])
def test_day_fr_a_calendar_date_without_time_zone(value, shown):
    assert day_fr(value) == shown
