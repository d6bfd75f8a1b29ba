#!/usr/bin/python3
"""Checks of the peer pipeline against the SPEC samples and RiskWatch's rules: `/usr/bin/python3 benchmarks/peer/test_pipeline.py`."""
import base64
import hmac
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipeline  # noqa: E402

SAMPLES = "/work/shared/feeds/samples"


def prepare(inbox, store, append=False):
    args = type("Args", (), {"inbox": inbox, "store": store, "append": append, "key_file": None})()
    pipeline.prepare(args)
    return pipeline.Store(store)


class SamplesTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.store = os.path.join(self.folder, "store")

    def tearDown(self):
        shutil.rmtree(self.folder)

    def test_bad_arrears_rows_are_quarantined_with_their_column_and_the_file_without_kwh_is_rejected(self):
        prepare(SAMPLES, self.store)
        store = prepare(os.path.join(SAMPLES, "bad"), self.store, append=True)
        quarantine = pd.read_csv(os.path.join(self.store, "quarantine.csv"))
        self.assertEqual(list(quarantine["column"]), ["rrn", "billing_month", "amount_krw", "source", "amount_krw"])
        self.assertEqual(list(quarantine["line"]), [3, 4, 5, 6, 7])
        self.assertNotIn("usage_electricity|" + str(pipeline.day_of("2026-10-25")), store.meta["ledger"])

    def test_a_v2_resend_replaces_the_day_and_a_second_prepare_changes_nothing(self):
        store = prepare(SAMPLES, self.store)
        first = store.household_rows(np.array(["H00000001"], dtype=object))[0]
        day = pipeline.day_of("2026-09-15")
        self.assertAlmostEqual(float(store.series["kwh"][day % pipeline.WINDOW, first]), 7.125, places=5)
        before = {name: np.array(a) for name, a in store.series.items()}
        again = prepare(SAMPLES, self.store, append=True)
        for name, array in again.series.items():
            np.testing.assert_array_equal(before[name], np.array(array))

    def test_pseudonyms_are_riskwatch_hmacs_with_its_domain_prefixes(self):
        store = prepare(SAMPLES, self.store)
        with open(os.path.join(self.store, "pseudonym.key"), encoding="ascii") as f:
            key = base64.b64decode(f.read())
        row = store.household_rows(np.array(["H00000001"], dtype=object))[0]
        expected = hmac.digest(key, b"riskwatch/household/v1:H00000001", "sha256")
        self.assertEqual(bytes(store.hkey[row]), expected)
        dashed = pipeline.check_rrn(np.array(["680612-2842950"], dtype=object))
        plain = pipeline.check_rrn(np.array(["6806122842950"], dtype=object))
        self.assertTrue(dashed[0][0] and plain[0][0])
        self.assertEqual(store.person_rows(dashed[1])[0], store.person_rows(plain[1])[0])

    def test_hashing_on_two_processes_gives_the_same_keys_in_the_same_order(self):
        keys = pipeline.Keys(b"k" * 32)
        values = [b"H%08d" % i for i in range(1000)]
        one = keys.digests(pipeline.HOUSEHOLD_DOMAIN, values)
        keys.PARALLEL_FROM = 10
        two = keys.digests(pipeline.HOUSEHOLD_DOMAIN, values)
        np.testing.assert_array_equal(one, two)
        self.assertEqual(bytes(two[999]), hmac.digest(b"k" * 32, b"riskwatch/household/v1:H00000999", "sha256"))

    def test_maximum_at_keeps_the_largest_value_per_repeated_index(self):
        target = np.array([5, 0, 9], np.int32)
        pipeline.maximum_at(target, np.array([0, 1, 1, 2, 0]), np.array([3, 7, 4, 1, 8]))
        self.assertEqual(target.tolist(), [8, 7, 9])

    def test_field_checks_follow_spec(self):
        ok, value = pipeline.check_decimal(np.array(["1.5", "1.2345", "-1", "3", ".5", "1,5", ""], dtype=object), 3)
        self.assertEqual(ok.tolist(), [True, False, False, True, False, False, False])
        self.assertEqual(value[0], 1.5)
        ok, _ = pipeline.check_date(np.array(["2026-02-29", "2028-02-29", "2026-13-01", "2026-1-01"], dtype=object))
        self.assertEqual(ok.tolist(), [False, True, False, False])
        ok, _ = pipeline.check_rrn(np.array(["6806122842950", "6806129842950", "6813122842950", "68061228429"], dtype=object))
        self.assertEqual(ok.tolist(), [True, False, False, False])
        ok, number = pipeline.check_whole(np.array(["24", "25", "007", "1e3"], dtype=object), 0, 24)
        self.assertEqual(ok.tolist(), [True, False, True, False])
        self.assertEqual(number[2], 7)


if __name__ == "__main__":
    unittest.main()
