#!/usr/bin/python3
"""The nightly pass of RiskWatch done by a pandas + numpy + xgboost peer (issue 7), for the macro benchmark.

    pipeline.py train   --features DIR --out MODELS_DIR
    pipeline.py prepare --inbox DIR --store STORE_DIR [--append] [--key-file FILE]
    pipeline.py night   --inbox NIGHT_DIR --store STORE_DIR --models MODELS_DIR --as-of YYYY-MM-DD --out FLAGGED.csv
    pipeline.py features --store STORE_DIR --as-of YYYY-MM-DD --out FEATURES.csv   (parity checks)

The same work as `riskwatch nightly`, written the way a competent pandas user would: SPEC feed files are read with
pandas' C parser, validated column-wise on numpy character matrices (no per-row Python), identifiers pseudonymized with
keyed HMAC-SHA256 under the same domain prefixes as src/Ingest/Privacy/Pseudonymizer.cs (one C call per distinct value),
and kept in a store of numpy arrays: a 120-day ring of days × households per usage series (NightlyPass.WindowDays) plus
household / person / event tables. Features as of D are the 48 of src/Scoring/Features (FeatureBuilder, FlatlineSignal),
computed over blocks of households with numpy reductions over the day axis, two threads; both models are xgboost boosters
(100 trees, 31 leaves) with a Platt calibration; the policy is ThresholdPolicy's defaults, Flagger's lanes and grades and
DongQueue's per-dong capacity on an empty queue. Debian packages: python3-pandas python3-numpy python3-xgboost.
The last line `night` prints is one JSON object of stage timings (seconds).
"""
import argparse
import base64
import concurrent.futures
import hmac
import json
import math
import os
import pickle
import re
import secrets
import sys
import time

try:
    import numpy as np
except ModuleNotFoundError:
    # The peer's libraries are Debian's (PyPI is not reachable here): another python3 on PATH re-runs under the system one.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

import pandas as pd

WINDOW = 120  # NightlyPass.WindowDays
THREADS = 2
BLOCK = 32_768

FEATURES = [
    "household_size", "lives_alone", "head_age", "head_male", "members_65plus", "housing_gosiwon", "housing_basement",
    "housing_rooftop", "months_at_address",
    "has_meter", "kwh_ratio_7_60", "kwh_ratio_14_60", "elec_flat_days", "standby_days_14", "active_hours_ratio_7_60",
    "elec_missing_days_14",
    "has_water_meter", "water_ratio_7_60",
    "has_phone", "calls_out_ratio_14_60", "sms_out_ratio_14_60", "data_ratio_14_60", "telecom_silent_days",
    "days_without_outgoing_14", "calls_in_unanswered_ratio_14",
    "arrears_months_electricity", "arrears_months_water", "arrears_months_gas", "arrears_months_health_insurance",
    "arrears_months_telecom", "arrears_months_rent", "arrears_months_management_fee", "arrears_months_pension",
    "arrears_source_count", "arrears_total_krw_log", "arrears_max_months", "cutoff_or_restricted", "arrears_trend_60",
    "basic_livelihood", "livelihood_ended_180d", "job_loss_180d", "medical_overspend_365d", "disability", "long_term_care",
    "emergency_aid_365d", "near_poverty",
    "reports_30d", "reports_90d",
]
F = {name: i for i, name in enumerate(FEATURES)}
UNKNOWN = np.float32(-1.0)
MAX_RATIO = 10.0
MIN_BASELINE = 7
BASELINE = 60
BACKGROUND_MB = 5.0
BRIDGED_MISSING = 3
METER_LOOKBACK = 90

SEXES = ["M", "F"]
RELATIONS = ["head", "member"]
HOUSING = ["apartment", "rowhouse", "detached", "officetel", "gosiwon", "basement", "rooftop", "other"]
STATUSES = ["active", "moved_out", "deceased"]
QUALITIES = ["measured", "estimated", "missing"]
SOURCES = ["electricity", "water", "gas", "health_insurance", "telecom", "rent", "management_fee", "pension"]
ACTIONS = ["none", "notice", "restricted", "cutoff", "restored"]
EVENTS = ["basic_livelihood_start", "basic_livelihood_end", "near_poverty", "emergency_aid", "disability_registered",
          "job_loss", "long_term_care", "medical_overspend"]
CHANNELS = ["neighbor", "honorary_officer", "landlord", "delivery", "messenger", "other"]
OUTCOMES = ["crisis_confirmed", "supported", "no_crisis", "unreachable", "refused", "died_alone"]

# Feed → (required header columns, optional header columns); order = FeedCatalog.All (residents first).
FEEDS = {
    "residents": (["rrn", "household_id", "name", "birth_date", "sex", "dong_code", "address", "household_size", "relation",
                   "housing_type", "status", "status_date"], ["phone"]),
    "welfare": (["rrn", "event", "event_date"], []),
    "arrears": (["source", "rrn", "billing_month", "amount_krw", "months_overdue", "action", "reported_on"], []),
    "usage_electricity": (["household_id", "date", "kwh", "active_hours", "quality"], []),
    "usage_water": (["household_id", "date", "liters", "quality"], []),
    "usage_telecom": (["rrn", "date", "calls_out", "calls_in", "sms_out", "data_mb"], []),
    "reports": (["report_id", "channel", "reported_at", "note"], ["household_id", "rrn"]),
    "outcomes": (["household_id", "visited_on", "outcome", "discovered_after_days"], []),
}
FEED_ORDER = {name: i for i, name in enumerate(FEEDS)}
FILE_NAME = re.compile(r"^(?P<feed>[a-z_]+)_(?P<date>\d{8})(?:\.v(?P<version>\d+))?\.csv$")

PERSON_DOMAIN = b"riskwatch/person/v1:"
HOUSEHOLD_DOMAIN = b"riskwatch/household/v1:"
NO_DAY = np.iinfo(np.int32).min
FAR_DAY = np.iinfo(np.int32).max


# ----------------------------------------------------------------------------------------------------------------------
# Dates as day numbers (days since 1970-01-01), computed on integer arrays.

def days_from_civil(y, m, d):
    """Howard Hinnant's days_from_civil, vectorized (int64 arrays)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z = np.asarray(z, np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    return y + (m <= 2), m, d


def days_in_month(y, m):
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    table = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    return table[np.clip(m, 0, 12)] + ((m == 2) & leap)


def day_of(text):
    return int(np.datetime64(text, "D").astype(np.int64))


def text_of(day):
    return str(np.datetime64(int(day), "D"))


# ----------------------------------------------------------------------------------------------------------------------
# Column checks on character matrices: every check is a handful of numpy operations over the whole column.

def charmat(values, width):
    """(codes, lengths, too_long): the first `width` code points of each string as a uint32 matrix."""
    n = len(values)
    lens = np.fromiter(map(len, values), np.int64, n)
    too_long = lens > width
    if too_long.any():
        values = values.copy()
        values[too_long] = ""
        lens = np.where(too_long, 0, lens)
    u = values.astype(f"U{width}")
    return u.view(np.uint32).reshape(n, width), lens, too_long


def is_digit(m):
    return (m >= 48) & (m <= 57)


def digits_value(m, lens):
    """The whole number written in the first `lens` characters (already checked to be digits): Horner over columns."""
    number = np.zeros(len(m), np.int64)
    for pos in range(m.shape[1]):
        inside = pos < lens
        if not inside.any():
            break
        number = np.where(inside, number * 10 + (m[:, pos].astype(np.int64) - 48), number)
    return number


def check_whole(values, lo=0, hi=None):
    m, lens, long_ = charmat(values, 15)
    inside = np.arange(15)[None, :] < lens[:, None]
    ok = ~long_ & (lens > 0) & np.all(is_digit(m) | ~inside, axis=1)
    number = np.where(ok, digits_value(np.where(ok[:, None], m, 48), lens), 0)
    ok &= number >= lo
    if hi is not None:
        ok &= number <= hi
    return ok, number


def check_decimal(values, max_decimals):
    width = 31
    m, lens, long_ = charmat(values, width)
    inside = np.arange(width)[None, :] < lens[:, None]
    dot = (m == 46) & inside
    dots = dot.sum(axis=1)
    p = np.where(dots > 0, dot.argmax(axis=1), lens)
    ok = ~long_ & (lens > 0) & np.all(is_digit(m) | dot | ~inside, axis=1) & (dots <= 1)
    ok &= (p >= 1) & (p <= 15) & ((dots == 0) | (p <= lens - 2)) & ((dots == 0) | (lens - 1 - p <= max_decimals))
    number = np.zeros(len(values))
    if ok.any():
        number[ok] = values[ok].astype(np.float64)
    return ok, number


def check_date(values):
    m, lens, _ = charmat(values, 10)
    d = is_digit(m)
    ok = (lens == 10) & (m[:, 4] == 45) & (m[:, 7] == 45) & d[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1)
    v = np.where(ok[:, None], m.astype(np.int64) - 48, 0)
    y = v[:, 0] * 1000 + v[:, 1] * 100 + v[:, 2] * 10 + v[:, 3]
    mo = v[:, 5] * 10 + v[:, 6]
    dd = v[:, 8] * 10 + v[:, 9]
    ok &= (y >= 1) & (mo >= 1) & (mo <= 12) & (dd >= 1) & (dd <= days_in_month(y, mo))
    day = np.where(ok, days_from_civil(np.where(ok, y, 1970), np.where(ok, mo, 1), np.where(ok, dd, 1)), 0)
    return ok, day.astype(np.int32)


def check_month(values):
    m, lens, _ = charmat(values, 7)
    d = is_digit(m)
    ok = (lens == 7) & (m[:, 4] == 45) & d[:, [0, 1, 2, 3, 5, 6]].all(axis=1)
    v = np.where(ok[:, None], m.astype(np.int64) - 48, 0)
    y = v[:, 0] * 1000 + v[:, 1] * 100 + v[:, 2] * 10 + v[:, 3]
    mo = v[:, 5] * 10 + v[:, 6]
    return ok & (y >= 1) & (mo >= 1) & (mo <= 12)


def check_household_id(values):
    m, lens, long_ = charmat(values, 20)
    inside = np.arange(20)[None, :] < lens[:, None]
    alnum = is_digit(m) | ((m >= 65) & (m <= 90)) | ((m >= 97) & (m <= 122)) | (m == 45)
    return ~long_ & (lens > 0) & np.all(alnum | ~inside, axis=1)


def check_dong(values):
    m, lens, _ = charmat(values, 10)
    ok = (lens == 10) & is_digit(m).all(axis=1)
    return ok, np.where(ok, digits_value(np.where(ok[:, None], m, 48), np.full(len(values), 10)), 0)


def check_rrn(values):
    """(ok, digits): the 13 ASCII digits of each valid rrn as an (n, 13) uint8 matrix (Rrn.Validate's rules)."""
    m, lens, _ = charmat(values, 14)
    dashed = (lens == 14) & (m[:, 6] == 45)
    digits = np.where(dashed[:, None], np.concatenate([m[:, :6], m[:, 7:14]], axis=1), m[:, :13])
    ok = ((lens == 13) | dashed) & is_digit(digits).all(axis=1)
    v = np.where(ok[:, None], digits.astype(np.int64) - 48, 0)
    gender = v[:, 6]
    ok &= (gender >= 1) & (gender <= 8)
    century = np.where(np.isin(gender, [1, 2, 5, 6]), 1900, 2000)
    y = century + v[:, 0] * 10 + v[:, 1]
    mo = v[:, 2] * 10 + v[:, 3]
    dd = v[:, 4] * 10 + v[:, 5]
    ok &= (mo >= 1) & (mo <= 12) & (dd >= 1) & (dd <= days_in_month(y, mo))
    return ok, digits.astype(np.uint8)


def check_enum(values, choices):
    return pd.Categorical(values, categories=choices).codes.astype(np.int16)


def check_timestamp(values):
    """ISO 8601 with an offset or Z → the Seoul (UTC+9) day number, as ReportsLoader stores reported_on."""
    pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$"
    shape = pd.Series(values).str.match(pattern).to_numpy(bool)
    parsed = pd.to_datetime(pd.Series(np.where(shape, values, "")), utc=True, errors="coerce")
    ok = shape & parsed.notna().to_numpy()
    seoul = (parsed + pd.Timedelta(hours=9)).dt.floor("D")
    day = np.where(ok, (seoul.to_numpy("datetime64[D]").astype("datetime64[D]").astype(np.int64)), 0)
    return ok, day.astype(np.int32)


class Checks:
    """The first failing column of each row (a quarantined row fails once, at its first bad column, as in FeedLoader)."""

    def __init__(self, n):
        self.bad = np.zeros(n, bool)
        self.column = np.full(n, "", object)

    def fail(self, mask, column):
        new = mask & ~self.bad
        if new.any():
            self.column[new] = column
            self.bad |= new


# ----------------------------------------------------------------------------------------------------------------------
# Pseudonyms

def _digest_run(job):
    key, domain, values = job
    return b"".join([hmac.digest(key, domain + v, "sha256") for v in values])


class Keys:
    # Below this many identifiers one process hashes them; above, both cores do (RiskWatch's ingest uses both too).
    PARALLEL_FROM = 100_000

    def __init__(self, key):
        self.key = key

    def digests(self, domain, values):
        """HMAC-SHA256(key, domain + value) of each value (bytes) as an (n, 32) uint8 matrix: one OpenSSL call each."""
        if len(values) < self.PARALLEL_FROM:
            joined = _digest_run((self.key, domain, values))
        else:
            import multiprocessing
            half = len(values) // 2
            jobs = [(self.key, domain, values[:half]), (self.key, domain, values[half:])]
            with concurrent.futures.ProcessPoolExecutor(THREADS, mp_context=multiprocessing.get_context("fork")) as pool:
                joined = b"".join(pool.map(_digest_run, jobs))
        return np.frombuffer(joined, np.uint8).reshape(-1, 32)


def key64(matrix):
    """The first 8 bytes of each key as a big-endian uint64: the store's lookup key (the full key is kept too)."""
    return np.ascontiguousarray(matrix[:, :8]).view(">u8").reshape(-1).astype(np.uint64)


# ----------------------------------------------------------------------------------------------------------------------
# The store

SERIES = {  # name → (dtype, empty value, group)
    "kwh": (np.float32, np.nan, "elec"),
    "ah": (np.int8, -1, "elec"),
    "water": (np.float32, np.nan, "water"),
    "co": (np.int16, -1, "tel"),
    "ci": (np.int16, -1, "tel"),
    "sms": (np.int16, -1, "tel"),
    "data": (np.float32, np.nan, "tel"),
}
GROUPS = ["elec", "water", "tel"]

HOUSEHOLD_COLUMNS = {"k64": np.uint64, "dong": np.int64, "size": np.int32, "housing": np.int8, "first_seen": np.int32,
                     "updated_on": np.int32}
HOUSEHOLD_EMPTY = {"k64": 0, "dong": 0, "size": 0, "housing": -1, "first_seen": FAR_DAY, "updated_on": NO_DAY}
PERSON_COLUMNS = {"k64": np.uint64, "hh": np.int32, "birth": np.int32, "sex": np.int8, "relation": np.int8,
                  "status": np.int8, "status_date": np.int32, "reported_on": np.int32, "tel_last": np.int32}
PERSON_EMPTY = {"k64": 0, "hh": -1, "birth": NO_DAY, "sex": -1, "relation": -1, "status": -1, "status_date": NO_DAY,
                "reported_on": NO_DAY, "tel_last": NO_DAY}
EVENT_FRAMES = {
    "arrears": {"person": np.int32, "source": np.int8, "day": np.int32, "months": np.int64, "amount": np.int64,
                "restricted": np.bool_, "file": np.int32},
    "welfare": {"person": np.int32, "event": np.int8, "day": np.int32, "file": np.int32},
    "reports": {"report_id": object, "hh": np.int32, "person": np.int32, "day": np.int32, "file": np.int32},
    "outcomes": {"hh": np.int32, "day": np.int32, "outcome": np.int8, "discovered": np.int64, "file": np.int32},
}


class Store:
    """The peer's own store: numpy arrays and pickled frames in one folder; usage series in a 120-day ring of days."""

    def __init__(self, path, key_file=None, create=False):
        self.path = path
        os.makedirs(path, exist_ok=True)
        meta_path = os.path.join(path, "meta.pkl")
        if os.path.exists(meta_path):
            with open(meta_path, "rb") as f:
                self.meta = pickle.load(f)
        else:
            if not create:
                raise SystemExit(f"pipeline.py: {path} holds no store: run `prepare` first")
            self.meta = {"ledger": {}, "files": [], "capacity": 0, "slots": {g: np.full(WINDOW, NO_DAY, np.int32) for g in GROUPS}}
        key_path = os.path.join(path, "pseudonym.key")
        if key_file:
            with open(key_file, encoding="ascii") as f:
                text = f.read().strip()
            with open(key_path, "w", encoding="ascii") as f:
                f.write(text)
        if not os.path.exists(key_path):
            with open(key_path, "w", encoding="ascii") as f:
                f.write(base64.b64encode(secrets.token_bytes(32)).decode())
            os.chmod(key_path, 0o600)
        with open(key_path, encoding="ascii") as f:
            self.keys = Keys(base64.b64decode(f.read().strip()))
        self.households = self._table("households", HOUSEHOLD_COLUMNS)
        self.hkey = self._array("hkey", np.zeros((0, 32), np.uint8))
        self.persons = self._table("persons", PERSON_COLUMNS)
        self.events = {}
        for name, columns in EVENT_FRAMES.items():
            p = os.path.join(path, f"{name}.pkl")
            self.events[name] = pd.read_pickle(p) if os.path.exists(p) else pd.DataFrame(
                {c: pd.Series(dtype=t) for c, t in columns.items()})
        self.series = {}
        for name, (dtype, _, _) in SERIES.items():
            p = os.path.join(path, f"{name}.npy")
            self.series[name] = np.load(p, mmap_mode="r+") if os.path.exists(p) else np.zeros((WINDOW, 0), dtype)
        self._hindex = None
        self._pindex = None
        self._cache = {}
        self.quarantine = []

    def _array(self, name, empty):
        p = os.path.join(self.path, f"{name}.npy")
        return np.load(p) if os.path.exists(p) else empty

    def _table(self, name, columns):
        p = os.path.join(self.path, f"{name}.npz")
        if os.path.exists(p):
            with np.load(p) as z:
                return {c: z[c] for c in columns}
        return {c: np.zeros(0, t) for c, t in columns.items()}

    @property
    def n_households(self):
        return len(self.households["k64"])

    # --- subjects ---------------------------------------------------------------------------------------------------

    def household_rows(self, ids):
        """Row numbers of the households with these (valid) household_id strings, created when unseen."""
        codes, uniq = pd.factorize(ids)
        rows = self._cache_lookup("h", uniq)
        todo = rows < 0
        if todo.any():
            raw = uniq[todo]
            matrix = self.keys.digests(HOUSEHOLD_DOMAIN, [v.encode("ascii") for v in raw])
            rows[todo] = self._subjects(self.households, HOUSEHOLD_COLUMNS, HOUSEHOLD_EMPTY, "_hindex", matrix)
            self._cache_add("h", raw, rows[todo])
        return rows[codes]

    def person_rows(self, digits):
        """Row numbers of the persons with these rrn digit rows ((n, 13) uint8), created when unseen."""
        number = digits_value(digits.astype(np.uint32), np.full(len(digits), 13))
        codes, uniq = pd.factorize(number)
        rows = self._cache_lookup("p", uniq)
        todo = rows < 0
        if todo.any():
            raw = uniq[todo]
            matrix = self.keys.digests(PERSON_DOMAIN, [b"%013d" % v for v in raw.tolist()])
            rows[todo] = self._subjects(self.persons, PERSON_COLUMNS, PERSON_EMPTY, "_pindex", matrix)
            self._cache_add("p", raw, rows[todo])
        return rows[codes]

    # Identifier → row for this process only, as RiskWatch's SubjectMap: a subject on every day's file is hashed once
    # per run, not once per row. Identifiers stay in memory and are never written anywhere.
    def _cache_lookup(self, kind, uniq):
        index, rows = self._cache.get(kind, (None, None))
        if index is None:
            return np.full(len(uniq), -1, np.int64)
        found = index.get_indexer(uniq)
        return np.where(found >= 0, rows[found], -1).astype(np.int64)

    def _cache_add(self, kind, raw, rows):
        index, old = self._cache.get(kind, (None, None))
        if index is None:
            self._cache[kind] = (pd.Index(raw), np.asarray(rows, np.int64))
        else:
            self._cache[kind] = (index.append(pd.Index(raw)), np.concatenate([old, rows]))

    def _subjects(self, table, columns, empty, index_name, matrix):
        """Rows of these keys in the household or person table, appending the ones never seen."""
        k = key64(matrix)
        if getattr(self, index_name) is None:
            setattr(self, index_name, pd.Index(table["k64"]))
        rows = getattr(self, index_name).get_indexer(k)
        new = rows < 0
        if new.any():
            start = len(table["k64"])
            rows[new] = np.arange(start, start + new.sum())
            for c, t in columns.items():
                add = k[new] if c == "k64" else np.full(new.sum(), empty[c], t)
                table[c] = np.concatenate([table[c], add])
            setattr(self, index_name, pd.Index(table["k64"]))
            if table is self.households:
                self.hkey = np.concatenate([self.hkey, matrix[new]])
                self._grow_series(self.n_households)
        return rows

    def _grow_series(self, n):
        cap = self.series["kwh"].shape[1]
        if n <= cap:
            return
        new_cap = max(n, int(cap * 1.25) + 1024)
        for name, (dtype, empty, _) in SERIES.items():
            old = self.series[name]
            grown = np.full((WINDOW, new_cap), empty, dtype)
            grown[:, :cap] = old
            self.series[name] = grown

    # --- the day ring -----------------------------------------------------------------------------------------------

    def slot_for(self, group, day, clear):
        """The ring slot of `day` for the group's series, emptied when it held another day (or when `clear`)."""
        slot = day % WINDOW
        slots = self.meta["slots"][group]
        if slots[slot] > day:
            return None  # older than the window the store already holds
        if slots[slot] != day or clear:
            for name, (_, empty, g) in SERIES.items():
                if g == group:
                    self.series[name][slot, :] = empty
            slots[slot] = day
        return slot

    def window(self, name, as_of, lo, hi):
        """Days as_of-119 … as_of of households lo:hi as a (120, hi-lo) array in day order; days not held are empty."""
        dtype, empty, group = SERIES[name]
        days = np.arange(as_of - WINDOW + 1, as_of + 1)
        slots = days % WINDOW
        out = self.series[name][:, lo:hi][slots]
        held = self.meta["slots"][group][slots] == days
        if not held.all():
            out[~held] = empty
        return out

    # --- persistence ------------------------------------------------------------------------------------------------

    def save(self):
        p = self.path
        np.savez(os.path.join(p, "households.npz"), **self.households)
        np.savez(os.path.join(p, "persons.npz"), **self.persons)
        np.save(os.path.join(p, "hkey.npy"), self.hkey)
        for name, frame in self.events.items():
            frame.to_pickle(os.path.join(p, f"{name}.pkl"))
        for name, array in self.series.items():
            if isinstance(array, np.memmap):
                array.flush()
            else:
                np.save(os.path.join(p, f"{name}.npy"), array)
        with open(os.path.join(p, "meta.pkl"), "wb") as f:
            pickle.dump(self.meta, f)
        if self.quarantine:
            q = pd.concat(self.quarantine, ignore_index=True)
            qp = os.path.join(p, "quarantine.csv")
            q.to_csv(qp, mode="a", header=not os.path.exists(qp), index=False)
            self.quarantine = []


# ----------------------------------------------------------------------------------------------------------------------
# Ingest: one file → validated columns → the store

def inbox_files(inbox):
    found = []
    for name in os.listdir(inbox):
        m = FILE_NAME.match(name)
        if not m or m["feed"] not in FEEDS:
            continue
        found.append((day_of(f"{m['date'][:4]}-{m['date'][4:6]}-{m['date'][6:]}"), FEED_ORDER[m["feed"]],
                      int(m["version"] or 1), m["feed"], name))
    found.sort()
    return found


def ingest(store, inbox, force):
    """Every feed file of the inbox in (date, feed, version) order, as InboxIngestor. With `force` (the night) a file
    already loaded is loaded again over itself, so a rerun does the same work and leaves the same store."""
    summary = {"loaded": 0, "duplicate": 0, "rejected": 0, "rows": 0, "quarantined": 0}
    for day, _, version, feed, name in inbox_files(inbox):
        ledger_key = f"{feed}|{day}"
        earlier = store.meta["ledger"].get(ledger_key)
        if earlier and (earlier[0] > version or (earlier[0] == version and not force)):
            summary["duplicate"] += 1
            continue
        required, optional = FEEDS[feed]
        wanted = set(required + optional)
        frame = pd.read_csv(os.path.join(inbox, name), dtype=str, keep_default_na=False, na_filter=False,
                            encoding="utf-8-sig", on_bad_lines="skip", engine="c", usecols=lambda c: c in wanted)
        missing = [c for c in required if c not in frame.columns]
        if missing:
            print(f"pipeline.py: {name}: rejected: the required column {missing[0]} is missing", file=sys.stderr)
            summary["rejected"] += 1
            continue
        for c in optional:
            if c not in frame.columns:
                frame[c] = ""
        file_id = len(store.meta["files"])
        store.meta["files"].append(name)
        superseded = [earlier[1]] if earlier else []
        if superseded and feed in store.events:
            # A re-send replaces the earlier version's rows (InboxIngestor: ledger.SupersedeAsync).
            frame_ = store.events[feed]
            store.events[feed] = frame_[~frame_["file"].isin(superseded)]
        cols = {c: frame[c].to_numpy(object) for c in required + optional}
        checks = Checks(len(frame))
        LOADERS[feed](store, cols, checks, day, file_id, bool(superseded) or force)
        store.meta["ledger"][ledger_key] = (version, file_id)
        bad = checks.bad
        if bad.any():
            store.quarantine.append(pd.DataFrame({"file": name, "line": np.flatnonzero(bad) + 2, "column": checks.column[bad]}))
        summary["loaded"] += 1
        summary["rows"] += int((~bad).sum())
        summary["quarantined"] += int(bad.sum())
    return summary


def duplicated(*keys):
    return pd.DataFrame({str(i): k for i, k in enumerate(keys)}).duplicated().to_numpy()


def store_rows(checks, resolve, ids):
    """The store rows (household or person) of the rows still good; -1 for the others."""
    good = ~checks.bad
    rows = np.full(len(good), -1, np.int64)
    if good.any():
        rows[good] = resolve(ids[good])
    return rows


def quarantine_repeats(checks, *keys, column=""):
    """A good row whose keys repeat an earlier good row's is quarantined, as FeedLoader does."""
    good = ~checks.bad
    dup = np.zeros(len(good), bool)
    dup[good] = duplicated(*(k[good] for k in keys))
    checks.fail(dup, column)


def upsert_events(store, name, frame, keys):
    """A later file's event replaces an earlier one's with the same keys."""
    merged = pd.concat([store.events[name], frame], ignore_index=True)
    store.events[name] = merged[~merged.duplicated(keys, keep="last")]


def load_residents(store, c, checks, file_day, file_id, _reload):
    ok_rrn, digits = check_rrn(c["rrn"])
    checks.fail(~ok_rrn, "rrn")
    checks.fail(~check_household_id(c["household_id"]), "household_id")
    checks.fail(c["name"] == "", "name")
    ok, birth = check_date(c["birth_date"])
    checks.fail(~ok, "birth_date")
    sex = check_enum(c["sex"], SEXES)
    checks.fail(sex < 0, "sex")
    ok, dong = check_dong(c["dong_code"])
    checks.fail(~ok, "dong_code")
    ok, size = check_whole(c["household_size"], 1)
    checks.fail(~ok, "household_size")
    relation = check_enum(c["relation"], RELATIONS)
    checks.fail(relation < 0, "relation")
    housing = check_enum(c["housing_type"], HOUSING)
    checks.fail(housing < 0, "housing_type")
    status = check_enum(c["status"], STATUSES)
    checks.fail(status < 0, "status")
    has_sd = c["status_date"] != ""
    ok, status_date = check_date(np.where(has_sd, c["status_date"], "2000-01-01").astype(object))
    checks.fail(has_sd & ~ok, "status_date")
    checks.fail(~has_sd & (status != 0), "status_date")
    persons = store_rows(checks, store.person_rows, digits)
    quarantine_repeats(checks, persons, column="rrn")
    good = ~checks.bad
    if not good.any():
        return
    hh = store.household_rows(c["household_id"][good])
    H = store.households
    # first_seen_on only moves back; the registry fields only move forward (ResidentsLoader); the last row wins.
    H["first_seen"][hh] = np.minimum(H["first_seen"][hh], file_day)
    forward = H["updated_on"][hh] <= file_day
    idx = np.flatnonzero(forward)
    rows = hh[idx]
    H["dong"][rows] = dong[good][idx]
    H["size"][rows] = size[good][idx]
    H["housing"][rows] = housing[good][idx]
    H["updated_on"][rows] = file_day
    P = store.persons
    pr = persons[good]
    newer = P["reported_on"][pr] <= file_day
    sel = np.flatnonzero(newer)
    pr = pr[sel]
    P["hh"][pr] = hh[sel]
    P["birth"][pr] = birth[good][sel]
    P["sex"][pr] = sex[good][sel]
    P["relation"][pr] = relation[good][sel]
    P["status"][pr] = status[good][sel]
    P["status_date"][pr] = np.where(has_sd[good][sel], status_date[good][sel], NO_DAY)
    P["reported_on"][pr] = file_day


def load_electricity(store, c, checks, file_day, _file_id, reload):
    checks.fail(~check_household_id(c["household_id"]), "household_id")
    ok, day = check_date(c["date"])
    checks.fail(~ok, "date")
    quality = check_enum(c["quality"], QUALITIES)
    checks.fail(quality < 0, "quality")
    missing = quality == 2
    has_kwh = c["kwh"] != ""
    checks.fail(missing & has_kwh, "kwh")
    ok, kwh = check_decimal(c["kwh"], 3)
    checks.fail(~missing & ~ok, "kwh")
    has_ah = (c["active_hours"] != "") | (quality == 0)
    ok, ah = check_whole(c["active_hours"], 0, 24)
    checks.fail(has_ah & ~ok, "active_hours")
    rows = store_rows(checks, store.household_rows, c["household_id"])
    quarantine_repeats(checks, day, rows)
    good = ~checks.bad
    values = {"kwh": np.where(missing, np.nan, kwh).astype(np.float32), "ah": np.where(has_ah, ah, -1).astype(np.int8)}
    write_days(store, "elec", day, rows, good, values, file_day, reload)


def load_water(store, c, checks, file_day, _file_id, reload):
    checks.fail(~check_household_id(c["household_id"]), "household_id")
    ok, day = check_date(c["date"])
    checks.fail(~ok, "date")
    quality = check_enum(c["quality"], QUALITIES)
    checks.fail(quality < 0, "quality")
    missing = quality == 2
    checks.fail(missing & (c["liters"] != ""), "liters")
    ok, liters = check_decimal(c["liters"], 15)
    checks.fail(~missing & ~ok, "liters")
    rows = store_rows(checks, store.household_rows, c["household_id"])
    quarantine_repeats(checks, day, rows)
    good = ~checks.bad
    write_days(store, "water", day, rows, good, {"water": np.where(missing, np.nan, liters).astype(np.float32)}, file_day, reload)


def load_telecom(store, c, checks, file_day, _file_id, reload):
    ok_rrn, digits = check_rrn(c["rrn"])
    checks.fail(~ok_rrn, "rrn")
    ok, day = check_date(c["date"])
    checks.fail(~ok, "date")
    parsed = {}
    for col in ("calls_out", "calls_in", "sms_out"):
        ok, parsed[col] = check_whole(c[col], 0)
        checks.fail(~ok, col)
    ok, data = check_decimal(c["data_mb"], 15)
    checks.fail(~ok, "data_mb")
    persons = store_rows(checks, store.person_rows, digits)
    quarantine_repeats(checks, day, persons)
    good = ~checks.bad
    P = store.persons
    idx = np.flatnonzero(good)
    maximum_at(P["tel_last"], persons[idx], day[idx])
    # The household series are sums over the household's lines (HistoryLoader.AddTelecom), summed here at ingest.
    hh = P["hh"][persons[idx]]
    keep = hh >= 0
    idx, hh = idx[keep], hh[keep]
    frame = pd.DataFrame({"day": day[idx], "hh": hh, "co": parsed["calls_out"][idx], "ci": parsed["calls_in"][idx],
                          "sms": parsed["sms_out"][idx], "data": data[idx].astype(np.float32)})
    summed = frame.groupby(["day", "hh"], sort=False).sum()
    d = summed.index.get_level_values(0).to_numpy()
    h = summed.index.get_level_values(1).to_numpy()
    values = {name: np.minimum(summed[name].to_numpy(), 32767).astype(np.int16) for name in ("co", "ci", "sms")}
    values["data"] = summed["data"].to_numpy(np.float32)
    write_days(store, "tel", d, h, np.ones(len(d), bool), values, file_day, reload)


def write_days(store, group, day, rows, good, values, file_day, reload):
    """Writes valid rows into their days' ring slots; a re-sent or reloaded file first empties its own day."""
    if reload:
        store.slot_for(group, file_day, clear=True)
    for d in np.unique(day[good]):
        slot = store.slot_for(group, int(d), clear=False)
        if slot is None:
            continue
        sel = good & (day == d)
        r = rows[sel]
        for name, v in values.items():
            store.series[name][slot, r] = v[sel]


def append_events(store, table, frame):
    store.events[table] = pd.concat([store.events[table], frame], ignore_index=True)


def load_arrears(store, c, checks, _file_day, file_id, _reload):
    source = check_enum(c["source"], SOURCES)
    checks.fail(source < 0, "source")
    ok_rrn, digits = check_rrn(c["rrn"])
    checks.fail(~ok_rrn, "rrn")
    checks.fail(~check_month(c["billing_month"]), "billing_month")
    ok, amount = check_whole(c["amount_krw"], 0)
    checks.fail(~ok, "amount_krw")
    ok, months = check_whole(c["months_overdue"], 0)
    checks.fail(~ok, "months_overdue")
    action = check_enum(c["action"], ACTIONS)
    checks.fail(action < 0, "action")
    ok, day = check_date(c["reported_on"])
    checks.fail(~ok, "reported_on")
    persons = store_rows(checks, store.person_rows, digits)
    quarantine_repeats(checks, persons, source, day)
    g = ~checks.bad
    frame = pd.DataFrame({"person": persons[g].astype(np.int32), "source": source[g].astype(np.int8), "day": day[g],
                          "months": months[g], "amount": amount[g], "restricted": np.isin(action[g], [2, 3]),
                          "file": np.int32(file_id)})
    upsert_events(store, "arrears", frame, ["person", "source", "day"])


def load_welfare(store, c, checks, _file_day, file_id, _reload):
    ok_rrn, digits = check_rrn(c["rrn"])
    checks.fail(~ok_rrn, "rrn")
    event = check_enum(c["event"], EVENTS)
    checks.fail(event < 0, "event")
    ok, day = check_date(c["event_date"])
    checks.fail(~ok, "event_date")
    persons = store_rows(checks, store.person_rows, digits)
    quarantine_repeats(checks, persons, event, day)
    g = ~checks.bad
    frame = pd.DataFrame({"person": persons[g].astype(np.int32), "event": event[g].astype(np.int8), "day": day[g],
                          "file": np.int32(file_id)})
    upsert_events(store, "welfare", frame, ["person", "event", "day"])


def load_reports(store, c, checks, _file_day, file_id, _reload):
    ids = c["report_id"]
    checks.fail((ids == "") | (np.fromiter(map(len, ids), np.int64, len(ids)) > 64), "report_id")
    has_hh = c["household_id"] != ""
    has_p = c["rrn"] != ""
    checks.fail(has_hh & ~check_household_id(c["household_id"]), "household_id")
    ok_rrn, digits = check_rrn(c["rrn"])
    checks.fail(has_p & ~ok_rrn, "rrn")
    checks.fail(~has_hh & ~has_p, "household_id")
    channel = check_enum(c["channel"], CHANNELS)
    checks.fail(channel < 0, "channel")
    ok, day = check_timestamp(c["reported_at"])
    checks.fail(~ok, "reported_at")
    checks.fail(duplicated(ids) & ~checks.bad, "report_id")
    g = ~checks.bad
    hh = np.full(len(g), -1, np.int64)
    sel = g & has_hh
    if sel.any():
        hh[sel] = store.household_rows(c["household_id"][sel])
    person = np.full(len(g), -1, np.int64)
    sel = g & has_p
    if sel.any():
        person[sel] = store.person_rows(digits[sel])
    frame = pd.DataFrame({"report_id": ids[g], "hh": hh[g].astype(np.int32), "person": person[g].astype(np.int32),
                          "day": day[g], "file": np.int32(file_id)})
    upsert_events(store, "reports", frame, ["report_id"])


def load_outcomes(store, c, checks, _file_day, file_id, _reload):
    checks.fail(~check_household_id(c["household_id"]), "household_id")
    ok, day = check_date(c["visited_on"])
    checks.fail(~ok, "visited_on")
    outcome = check_enum(c["outcome"], OUTCOMES)
    checks.fail(outcome < 0, "outcome")
    has_d = c["discovered_after_days"] != ""
    checks.fail(has_d & (outcome != 5), "discovered_after_days")
    ok, discovered = check_whole(c["discovered_after_days"], 0)
    checks.fail(has_d & ~ok, "discovered_after_days")
    hh = store_rows(checks, store.household_rows, c["household_id"])
    quarantine_repeats(checks, hh, day, outcome)
    g = ~checks.bad
    frame = pd.DataFrame({"hh": hh[g].astype(np.int32), "day": day[g], "outcome": outcome[g].astype(np.int8),
                          "discovered": np.where(has_d[g], discovered[g], -1), "file": np.int32(file_id)})
    upsert_events(store, "outcomes", frame, ["hh", "day", "outcome"])


LOADERS = {
    "residents": load_residents, "welfare": load_welfare, "arrears": load_arrears, "usage_electricity": load_electricity,
    "usage_water": load_water, "usage_telecom": load_telecom, "reports": load_reports, "outcomes": load_outcomes,
}


# ----------------------------------------------------------------------------------------------------------------------
# Households as of D: the profile (HistoryLoader.Builder.TryBuild) and who is scored (HouseholdRecord.ActiveOn)

def maximum_at(target, index, values):
    """target[index] = max(target[index], values) with repeated indexes (numpy's ufunc.at is slow before 1.25)."""
    if len(index) == 0:
        return
    best = pd.Series(values).groupby(index, sort=False).max()
    at = best.index.to_numpy()
    target[at] = np.maximum(target[at], best.to_numpy().astype(target.dtype))


def ymd(days):
    y, m, d = civil_from_days(days)
    return y * 10000 + m * 100 + d


def profiles(store, as_of):
    """Scored households (row numbers) and their registry profile as of `as_of`."""
    H, P = store.households, store.persons
    n = store.n_households
    start = as_of - WINDOW + 1
    members = P["hh"] >= 0
    members &= P["birth"] != NO_DAY
    p_idx = np.flatnonzero(members)
    p_hh = P["hh"][p_idx]
    count = np.bincount(p_hh, minlength=n)
    active = P["status"][p_idx] == 0
    any_active = np.bincount(p_hh, weights=active, minlength=n) > 0
    gone = np.full(n, NO_DAY, np.int64)
    maximum_at(gone, p_hh, P["reported_on"][p_idx].astype(np.int64))
    # The head: the active head, else a head, else the oldest member (HistoryLoader.PickHead).
    head_rank = np.where((P["relation"][p_idx] == 0) & active, 0, np.where(P["relation"][p_idx] == 0, 1, 2))
    # Within a household: by rank; a head in member order, else the earliest birth date (ties in member order).
    order = np.lexsort((p_idx, np.where(head_rank == 2, P["birth"][p_idx], p_idx), head_rank, p_hh))
    first = np.ones(len(order), bool)
    first[1:] = p_hh[order][1:] != p_hh[order][:-1]
    head = np.full(n, -1, np.int64)
    head[p_hh[order][first]] = p_idx[order][first]
    # Members aged 65+ at the window's start (birth date + 65 years, 29 February → 28 February).
    b = ymd(P["birth"][p_idx])
    by, bm, bd = b // 10000, (b // 100) % 100, b % 100
    ty = by + 65
    leap = ((ty % 4 == 0) & (ty % 100 != 0)) | (ty % 400 == 0)
    bd = np.where((bm == 2) & (bd == 29) & ~leap, 28, bd)
    aged = active & ((ty * 10000 + bm * 100 + bd) <= ymd(np.array([start]))[0])
    aged65 = np.bincount(p_hh, weights=aged, minlength=n).astype(np.int64)

    first_seen = np.where(H["first_seen"] == FAR_DAY, start, H["first_seen"]).astype(np.int64)
    gone_on = np.where(any_active, FAR_DAY, gone)
    scored = (H["dong"] != 0) & (count > 0) & (first_seen <= as_of) & (gone_on > as_of)
    rows = np.flatnonzero(scored)
    size = H["size"][rows].astype(np.int64)
    size = np.maximum(1, np.where(size == 0, count[rows], size))
    head_rows = head[rows]
    return {
        "rows": rows, "size": size, "head_birth": P["birth"][head_rows], "head_male": P["sex"][head_rows] == 0,
        "housing": np.where(H["housing"][rows] < 0, 7, H["housing"][rows]), "first_seen": first_seen[rows],
        "aged65": aged65[rows], "dong": H["dong"][rows],
    }


# ----------------------------------------------------------------------------------------------------------------------
# The flatline signal (FlatlineSignal.Compute) and the features (FeatureBuilder.Build), per block of households

def flatline_block(store, as_of, rows):
    lo, hi = rows[0], rows[-1] + 1
    sub = rows - lo
    a = WINDOW - 1
    kwh = store.window("kwh", as_of, lo, hi)[:, sub]
    ah = store.window("ah", as_of, lo, hi)[:, sub]
    co = store.window("co", as_of, lo, hi)[:, sub]
    sms = store.window("sms", as_of, lo, hi)[:, sub]
    data = store.window("data", as_of, lo, hi)[:, sub]
    ci = store.window("ci", as_of, lo, hi)[:, sub]
    has_meter = (~np.isnan(kwh[a - METER_LOOKBACK + 1:])).any(axis=0)
    # Standby run walking back: 0 extends, >0 ends, up to 3 missing days in a row are bridged.
    b = len(sub)
    run = np.zeros(b, np.int64)
    missing_in_row = np.zeros(b, np.int64)
    going = has_meter.copy()
    for t in range(a, -1, -1):
        if not going.any():
            break
        h = ah[t]
        miss = going & (h < 0)
        missing_in_row[miss] += 1
        going &= ~(miss & (missing_in_row > BRIDGED_MISSING))
        stop = going & (h > 0)
        going &= ~stop
        zero = going & (h == 0)
        missing_in_row[zero] = 0
        run[zero] += 1
    silent = (co <= 0) & (sms <= 0) & ~(data > BACKGROUND_MB)
    return {"kwh": kwh, "ah": ah, "co": co, "sms": sms, "data": data, "ci": ci, "has_meter": has_meter, "flat": run,
            "silent": silent}


def silent_run(silent, ci, has_phone):
    back = silent[::-1]
    loud = ~back
    run = np.where(loud.any(axis=0), loud.argmax(axis=0), silent.shape[0])
    incoming = np.cumsum(np.maximum(0, ci[::-1].astype(np.int64)), axis=0)
    calls_in = np.where(run > 0, incoming[np.maximum(run - 1, 0), np.arange(silent.shape[1])], 0)
    return np.where(has_phone, run, 0), np.where(has_phone, calls_in, 0)


def valid_mean_ratio(series, recent_days, min_recent, floor):
    a = WINDOW - 1
    valid = series >= 0
    values = np.where(valid, series, 0).astype(np.float64)
    r0 = a - recent_days + 1
    b0 = max(0, a - recent_days - BASELINE + 1)
    rs, rc = values[r0:].sum(axis=0), valid[r0:].sum(axis=0)
    bs, bc = values[b0:r0].sum(axis=0), valid[b0:r0].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.minimum(MAX_RATIO, (rs / rc + floor) / (bs / bc + floor))
    return np.where((rc >= min_recent) & (bc >= MIN_BASELINE), ratio, UNKNOWN).astype(np.float32)


def activity_ratio(series, floor):
    a = WINDOW - 1
    values = np.where(series > 0, series, 0).astype(np.float64)
    recent = values[a - 13:].sum(axis=0) / 14
    base = values[a - 13 - BASELINE:a - 13].sum(axis=0) / BASELINE
    return np.minimum(MAX_RATIO, (recent + floor) / (base + floor)).astype(np.float32)


def features_block(store, as_of, prof, sl, lines, fl):
    a = WINDOW - 1
    n = sl.stop - sl.start
    X = np.zeros((n, len(FEATURES)), np.float32)
    size = prof["size"][sl]
    X[:, F["household_size"]] = size
    X[:, F["lives_alone"]] = size == 1
    hb = prof["head_birth"][sl]
    X[:, F["head_age"]] = np.maximum(0, (ymd(np.full(n, as_of)) - ymd(hb)) // 10000)
    X[:, F["head_male"]] = prof["head_male"][sl]
    X[:, F["members_65plus"]] = prof["aged65"][sl]
    housing = prof["housing"][sl]
    X[:, F["housing_gosiwon"]] = housing == 4
    X[:, F["housing_basement"]] = housing == 5
    X[:, F["housing_rooftop"]] = housing == 6
    fs = ymd(prof["first_seen"][sl])
    to = ymd(np.array([as_of]))[0]
    months = (to // 10000 - fs // 10000) * 12 + (to // 100) % 100 - (fs // 100) % 100 - ((to % 100) < (fs % 100))
    X[:, F["months_at_address"]] = np.where(prof["first_seen"][sl] > as_of, 0, months)

    kwh, ah = fl["kwh"], fl["ah"]
    meter = fl["has_meter"]
    X[:, F["has_meter"]] = meter
    X[:, F["kwh_ratio_7_60"]] = valid_mean_ratio(kwh, 7, 3, 0.5)
    X[:, F["kwh_ratio_14_60"]] = valid_mean_ratio(kwh, 14, 5, 0.5)
    X[:, F["elec_flat_days"]] = fl["flat"]
    X[:, F["standby_days_14"]] = (ah[a - 13:] == 0).sum(axis=0)
    X[:, F["active_hours_ratio_7_60"]] = valid_mean_ratio(ah, 7, 3, 0.5)
    X[:, F["elec_missing_days_14"]] = np.isnan(kwh[a - 13:]).sum(axis=0)
    X[~meter, F["kwh_ratio_7_60"]:F["elec_missing_days_14"] + 1] = UNKNOWN

    water = store.window("water", as_of, prof["rows"][sl][0], prof["rows"][sl][-1] + 1)[:, prof["rows"][sl] - prof["rows"][sl][0]]
    wmeter = (water[a - METER_LOOKBACK + 1:] >= 0).any(axis=0)
    X[:, F["has_water_meter"]] = wmeter
    X[:, F["water_ratio_7_60"]] = np.where(wmeter, valid_mean_ratio(water, 7, 3, 10.0), UNKNOWN)

    phone = lines > 0
    silent_days, _ = silent_run(fl["silent"], fl["ci"], phone)
    X[:, F["has_phone"]] = phone
    X[:, F["calls_out_ratio_14_60"]] = activity_ratio(fl["co"], 0.3)
    X[:, F["sms_out_ratio_14_60"]] = activity_ratio(fl["sms"], 0.3)
    X[:, F["data_ratio_14_60"]] = activity_ratio(fl["data"], 20.0)
    X[:, F["telecom_silent_days"]] = silent_days
    recent_silent = fl["silent"][a - 13:]
    incoming = np.maximum(0, fl["ci"][a - 13:].astype(np.int64))
    calls_in = incoming.sum(axis=0)
    while_silent = np.where(recent_silent, incoming, 0).sum(axis=0)
    X[:, F["days_without_outgoing_14"]] = recent_silent.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        X[:, F["calls_in_unanswered_ratio_14"]] = np.where(calls_in == 0, 0, (while_silent / np.maximum(calls_in, 1)).astype(np.float32))
    X[~phone, F["calls_out_ratio_14_60"]:F["calls_in_unanswered_ratio_14"] + 1] = UNKNOWN
    return X


def event_features(store, as_of, prof, X):
    """Arrears, welfare and reports: grouped pandas operations over the event tables joined to households."""
    P = store.persons
    pos = pd.Series(np.arange(len(prof["rows"])), index=prof["rows"])
    n_h = store.n_households
    where = np.full(n_h, -1, np.int64)
    where[prof["rows"]] = np.arange(len(prof["rows"]))

    ar = store.events["arrears"]
    ar = ar[ar["day"].to_numpy() <= as_of]
    hh = P["hh"][ar["person"].to_numpy()]
    at = where[np.where(hh >= 0, hh, 0)]
    keep = (hh >= 0) & (at >= 0)
    frame = pd.DataFrame({"at": at[keep], "source": ar["source"].to_numpy()[keep], "day": ar["day"].to_numpy()[keep],
                          "months": np.maximum(0, ar["months"].to_numpy()[keep]),
                          "amount": np.maximum(0, ar["amount"].to_numpy()[keep]),
                          "restricted": ar["restricted"].to_numpy()[keep]})
    n = len(prof["rows"])
    # The latest report per source is the status now; two on one day keep the worse (FeatureBuilder.WriteArrears).
    latest = frame.sort_values(["at", "source", "day", "months"], kind="stable").drop_duplicates(["at", "source"], keep="last")
    months = np.zeros((n, len(SOURCES)), np.int64)
    amount = np.zeros((n, len(SOURCES)), np.int64)
    restricted = np.zeros((n, len(SOURCES)), bool)
    la, ls = latest["at"].to_numpy(), latest["source"].to_numpy().astype(np.int64)
    months[la, ls] = latest["months"].to_numpy()
    amount[la, ls] = latest["amount"].to_numpy()
    restricted[la, ls] = latest["restricted"].to_numpy()
    past = frame[frame["day"].to_numpy() <= as_of - 60]
    past = past.sort_values(["at", "source", "day", "months"], kind="stable").drop_duplicates(["at", "source"], keep="last")
    past_months = np.zeros((n, len(SOURCES)), np.int64)
    past_months[past["at"].to_numpy(), past["source"].to_numpy().astype(np.int64)] = past["months"].to_numpy()
    X[:, F["arrears_months_electricity"]:F["arrears_months_pension"] + 1] = months
    owing = months > 0
    X[:, F["arrears_source_count"]] = owing.sum(axis=1)
    X[:, F["arrears_total_krw_log"]] = np.log(1.0 + np.where(owing, amount, 0).sum(axis=1))
    X[:, F["arrears_max_months"]] = months.max(axis=1)
    X[:, F["cutoff_or_restricted"]] = restricted.any(axis=1)
    X[:, F["arrears_trend_60"]] = months.sum(axis=1) - past_months.sum(axis=1)

    we = store.events["welfare"]
    we = we[we["day"].to_numpy() <= as_of]
    hh = P["hh"][we["person"].to_numpy()]
    at = where[np.where(hh >= 0, hh, 0)]
    keep = (hh >= 0) & (at >= 0)
    at, ev, day = at[keep], we["event"].to_numpy()[keep].astype(np.int64), we["day"].to_numpy()[keep].astype(np.int64)
    age = as_of - day
    last_start = np.full(n, NO_DAY, np.int64)
    last_end = np.full(n, NO_DAY, np.int64)
    maximum_at(last_start, at[ev == 0], day[ev == 0])
    maximum_at(last_end, at[ev == 1], day[ev == 1])

    def flag(mask):
        out = np.zeros(n, bool)
        out[at[mask]] = True
        return out

    receiving = (last_start != NO_DAY) & (last_start > last_end)
    X[:, F["basic_livelihood"]] = receiving
    X[:, F["livelihood_ended_180d"]] = ~receiving & (last_end != NO_DAY) & (as_of - last_end < 180)
    X[:, F["job_loss_180d"]] = flag((ev == 5) & (age < 180))
    X[:, F["medical_overspend_365d"]] = flag((ev == 7) & (age < 365))
    X[:, F["disability"]] = flag(ev == 4)
    X[:, F["long_term_care"]] = flag(ev == 6)
    X[:, F["emergency_aid_365d"]] = flag((ev == 3) & (age < 365))
    X[:, F["near_poverty"]] = flag(ev == 2)

    rp = store.events["reports"]
    hh = rp["hh"].to_numpy().astype(np.int64)
    person = rp["person"].to_numpy().astype(np.int64)
    hh = np.where(hh >= 0, hh, np.where(person >= 0, P["hh"][np.maximum(person, 0)], -1))
    at = where[np.where(hh >= 0, hh, 0)]
    age = as_of - rp["day"].to_numpy().astype(np.int64)
    keep = (hh >= 0) & (at >= 0) & (age >= 0) & (age < 90)
    X[:, F["reports_90d"]] = np.bincount(at[keep], minlength=n)
    X[:, F["reports_30d"]] = np.bincount(at[keep & (age < 30)], minlength=n)
    del pos


def build(store, as_of, timings):
    """Features and flatline signals of every scored household as of `as_of` (blocks of households on two threads)."""
    t0 = time.perf_counter()
    prof = profiles(store, as_of)
    rows = prof["rows"]
    n = len(rows)
    P = store.persons
    tel = (P["hh"] >= 0) & (P["tel_last"] >= as_of - WINDOW + 1) & (P["tel_last"] != NO_DAY)
    lines_all = np.bincount(P["hh"][tel], minlength=store.n_households)
    lines = lines_all[rows]
    blocks = [slice(i, min(n, i + BLOCK)) for i in range(0, n, BLOCK)]
    X = np.zeros((n, len(FEATURES)), np.float32)
    flat = np.zeros(n, np.int64)
    silent = np.zeros(n, np.int64)
    meter = np.zeros(n, bool)
    flatline_seconds = [0.0] * len(blocks)

    def job(i):
        # One block at a time through both steps, so only two blocks' windows are in memory at once.
        sl = blocks[i]
        started = time.perf_counter()
        fl = flatline_block(store, as_of, rows[sl])
        s, _ = silent_run(fl["silent"], fl["ci"], lines[sl] > 0)
        flat[sl], silent[sl], meter[sl] = np.where(fl["has_meter"], fl["flat"], 0), s, fl["has_meter"]
        flatline_seconds[i] = time.perf_counter() - started
        X[sl] = features_block(store, as_of, prof, sl, lines[sl], fl)

    t1 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(job, range(len(blocks))))
    t2 = time.perf_counter()
    event_features(store, as_of, prof, X)
    t3 = time.perf_counter()
    # The blocks ran on THREADS threads: the flatline stage's share of that wall time is its share of the thread time.
    flatline = min(t2 - t1, sum(flatline_seconds) / THREADS)
    timings["flatline"] = flatline
    timings["features"] = (t3 - t0) - flatline
    return prof, X, {"flat": flat, "silent": silent, "meter": meter, "phone": lines > 0}


# ----------------------------------------------------------------------------------------------------------------------
# Models

LEAD = ["household", "dong", "as_of", "label"]


def weights(y):
    pos = y.sum()
    w = math.sqrt((len(y) - pos) / pos) if pos else 1.0
    return np.where(y == 1, max(1.0, w), 1.0)


def platt(margins, labels):
    """Platt's sigmoid p = 1 / (1 + exp(-(a·margin + b))) fit on the log loss with his smoothed targets (finite even when
    the margins separate the classes)."""
    from scipy.optimize import minimize
    pos = labels.sum()
    neg = len(labels) - pos
    t = np.where(labels == 1, (pos + 1) / (pos + 2), 1 / (neg + 2))

    def loss(ab):
        z = ab[0] * margins + ab[1]
        return np.sum(np.logaddexp(0, z) - t * z)

    def grad(ab):
        p = 1 / (1 + np.exp(-(ab[0] * margins + ab[1])))
        return np.array([np.sum((p - t) * margins), np.sum(p - t)])

    fit = minimize(loss, np.array([1.0, math.log((pos + 1) / (neg + 1))]), jac=grad, method="L-BFGS-B")
    return float(fit.x[0]), float(fit.x[1])


PARAMS = {"objective": "binary:logistic", "tree_method": "hist", "max_leaves": 31, "max_depth": 0,
          "grow_policy": "lossguide", "learning_rate": 0.2, "nthread": THREADS, "seed": 1}


def fit(x, y):
    import xgboost
    return xgboost.train(PARAMS, xgboost.DMatrix(x, label=y, weight=weights(y)), num_boost_round=100)


def train(args):
    os.makedirs(args.out, exist_ok=True)
    for target in ("crisis", "lonely_death"):
        frame = pd.read_csv(os.path.join(args.features, f"{target}_train.csv"), dtype={"household": str, "dong": str})
        names = [c for c in frame.columns if c not in LEAD]
        if names != FEATURES:
            raise SystemExit(f"pipeline.py: {target}_train.csv has other features than FeatureSchema: {names}")
        x, y = frame[names].to_numpy(np.float32), frame["label"].to_numpy()
        started = time.perf_counter()
        # Platt on out-of-fold margins (3 folds by as-of date), then the model itself on every row: as RiskWatch's trainer.
        dates = np.sort(frame["as_of"].unique())
        fold = np.searchsorted(dates, frame["as_of"].to_numpy()) % 3
        oof = np.zeros(len(y))
        for k in range(3):
            held = fold == k
            oof[held] = fit(x[~held], y[~held]).inplace_predict(x[held], predict_type="margin")
        a, b = platt(oof, y)
        booster = fit(x, y)
        booster.save_model(os.path.join(args.out, f"{target}.json"))
        with open(os.path.join(args.out, f"{target}.platt.json"), "w", encoding="utf-8") as f:
            json.dump({"a": a, "b": b, "features": FEATURES, "trees": 100, "max_leaves": 31,
                       "train_rows": int(len(y)), "positives": int(y.sum())}, f)
        print(f"{target}: {len(y):,} rows, {int(y.sum()):,} positives, Platt a={a:.4f} b={b:.4f}, "
              f"{time.perf_counter() - started:.1f} s")


def score(models, X):
    import xgboost
    out = {}
    for target in ("crisis", "lonely_death"):
        booster = xgboost.Booster(model_file=os.path.join(models, f"{target}.json"))
        booster.set_param({"nthread": THREADS})
        with open(os.path.join(models, f"{target}.platt.json"), encoding="utf-8") as f:
            p = json.load(f)
        margin = booster.inplace_predict(X, predict_type="margin").astype(np.float64)
        out[target] = (1 / (1 + np.exp(-(p["a"] * margin + p["b"])))).astype(np.float32)
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Policy: ThresholdPolicy defaults, Flagger, FlatlineLane, DongQueue capacity on an empty queue

POLICY = {"crisis": 0.30, "lonely": 0.05, "crisis_high": 0.60, "lonely_high": 0.20, "watch": 0.01, "capacity": 5,
          "flatline_days": 3}


def flag(store, prof, scores, signal):
    crisis, lonely = scores["crisis"].astype(np.float64), scores["lonely_death"].astype(np.float64)
    model = (crisis >= POLICY["crisis"]) | (lonely >= POLICY["lonely"])
    watched = (prof["size"] == 1) | (lonely >= POLICY["watch"])
    days = POLICY["flatline_days"]
    elec_flat = signal["meter"] & (signal["flat"] >= days)
    phone_silent = signal["phone"] & (signal["silent"] >= days)
    fires = (elec_flat & (phone_silent | ~signal["phone"])) | (~signal["meter"] & phone_silent)
    flatline = watched & fires
    chosen = np.flatnonzero(model | flatline)
    priority = np.where(flatline, 0, np.where((crisis >= POLICY["crisis_high"]) | (lonely >= POLICY["lonely_high"]), 1, 2))
    rank = np.maximum(crisis / POLICY["crisis"], lonely / POLICY["lonely"])
    keys = store.hkey[prof["rows"][chosen]]
    hexkeys = np.array([bytes(k).hex() for k in keys], dtype=object)
    frame = pd.DataFrame({
        "household_key": hexkeys, "dong_code": prof["dong"][chosen].astype(np.int64),
        "priority_code": priority[chosen], "lane_code": model[chosen].astype(int) + 2 * flatline[chosen].astype(int),
        "rank": rank[chosen], "crisis_score": scores["crisis"][chosen], "lonely_death_score": scores["lonely_death"][chosen],
    })
    frame = frame.sort_values(["priority_code", "rank", "household_key"], ascending=[True, False, True], kind="mergesort")
    # DongQueue: urgent (flatline) cases always open; other new cases up to the dong's daily capacity, in list order.
    urgent = frame["priority_code"].to_numpy() == 0
    taken = frame[~urgent].groupby("dong_code", sort=False).cumcount().to_numpy() < POLICY["capacity"]
    keep = urgent.copy()
    keep[~urgent] = taken
    frame = frame[keep]
    frame["priority"] = np.array(["urgent", "high", "normal"])[frame["priority_code"].to_numpy()]
    frame["lane"] = np.array(["", "model", "flatline", "model+flatline"])[frame["lane_code"].to_numpy()]
    frame["dong_code"] = frame["dong_code"].map(lambda d: f"{d:010d}")
    return frame[["household_key", "dong_code", "priority", "lane", "crisis_score", "lonely_death_score"]], int(len(chosen))


# ----------------------------------------------------------------------------------------------------------------------
# Commands

def prepare(args):
    started = time.perf_counter()
    if not args.append and os.path.exists(os.path.join(args.store, "meta.pkl")):
        for name in os.listdir(args.store):
            if name != "pseudonym.key":
                os.remove(os.path.join(args.store, name))
    store = Store(args.store, key_file=args.key_file, create=True)
    summary = ingest(store, args.inbox, force=False)
    store.save()
    summary["households"] = store.n_households
    summary["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(summary))


def night(args):
    import xgboost  # noqa: F401  (imported before the clock starts, as .NET loads ML.NET before the pass)
    timings = {}
    t0 = time.perf_counter()
    as_of = day_of(args.as_of)
    store = Store(args.store)
    summary = ingest(store, args.inbox, force=True)
    store.save()
    timings["read"] = time.perf_counter() - t0
    prof, X, signal = build(store, as_of, timings)
    t = time.perf_counter()
    scores = score(args.models, X)
    timings["score"] = time.perf_counter() - t
    t = time.perf_counter()
    flagged, candidates = flag(store, prof, scores, signal)
    flagged.to_csv(args.out, index=False, float_format="%.6f")
    timings["flag"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    result = {k: round(v, 3) for k, v in timings.items()}
    result.update({"households": int(len(prof["rows"])), "flagged": int(len(flagged)), "candidates": candidates,
                   "rows_loaded": summary["rows"], "rows_quarantined": summary["quarantined"], "files": summary["loaded"]})
    print(json.dumps(result))


def features(args):
    """Features as of D for every scored household (household_key, dong, the 48 features), for parity checks."""
    store = Store(args.store)
    timings = {}
    prof, X, _ = build(store, day_of(args.as_of), timings)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame.insert(0, "dong", [f"{d:010d}" for d in prof["dong"]])
    frame.insert(0, "household", [bytes(k).hex() for k in store.hkey[prof["rows"]]])
    frame.to_csv(args.out, index=False, float_format="%.7g")
    print(json.dumps({k: round(v, 3) for k, v in timings.items()} | {"households": len(frame)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train")
    p.add_argument("--features", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--inbox", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--append", action="store_true")
    p.add_argument("--key-file", help="base64 pseudonym key (e.g. a riskwatch home's keys/pseudonym.key) instead of a new one")
    p = sub.add_parser("night")
    for name in ("--inbox", "--store", "--models", "--as-of", "--out"):
        p.add_argument(name, required=True)
    p = sub.add_parser("features")
    for name in ("--store", "--as-of", "--out"):
        p.add_argument(name, required=True)
    args = parser.parse_args()
    {"train": train, "prepare": prepare, "night": night, "features": features}[args.command](args)


if __name__ == "__main__":
    main()
