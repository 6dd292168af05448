"""The one rule for dated rows: valid_from inclusive, valid_to exclusive, NaT open."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mapgen.validity import valid_at, valid_on, valid_on_days

ROWS = pd.DataFrame(
    {
        "valid_from": pd.to_datetime(["2020-01-01", "2020-01-05", "2020-01-03"]),
        "valid_to": pd.to_datetime(["2020-01-05", None, "2020-01-04"]),
    }
)


def test_first_day_in_end_day_out_open_end_open():
    assert list(valid_on(ROWS, "2019-12-31")) == [False, False, False]
    assert list(valid_on(ROWS, "2020-01-01")) == [True, False, False]
    assert list(valid_on(ROWS, "2020-01-03")) == [True, False, True]
    assert list(valid_on(ROWS, "2020-01-04")) == [True, False, False]
    assert list(valid_on(ROWS, "2020-01-05")) == [False, True, False]
    assert list(valid_on(ROWS, "2030-01-01")) == [False, True, False]


def test_many_days_at_once_agree_with_one_day_at_a_time():
    days = pd.date_range("2019-12-30", "2020-01-08")
    matrix = valid_on_days(ROWS, days.to_numpy())
    assert matrix.shape == (len(days), len(ROWS))
    for d, day in enumerate(days):
        assert np.array_equal(matrix[d], valid_on(ROWS, day).to_numpy())


def test_one_row_agrees_with_the_table_rule_for_timestamps_numpy_values_and_none():
    days = pd.date_range("2019-12-30", "2020-01-08")
    as_numpy = ROWS.to_numpy()  # datetime64 values, NaT for the open end
    for day in days:
        expected = list(valid_on(ROWS, day))
        assert [valid_at(f, t, day) for f, t in ROWS.itertuples(index=False)] == expected
        assert [valid_at(f, t, day) for f, t in as_numpy] == expected
    assert valid_at(pd.Timestamp("2020-01-05"), None, pd.Timestamp("2030-01-01"))
    assert not valid_at(pd.Timestamp("2020-01-05"), None, pd.Timestamp("2020-01-04"))
