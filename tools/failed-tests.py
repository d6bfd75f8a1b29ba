#!/usr/bin/env python3
"""Prints each failed test of the given TRX files with the first lines of its error.

CI keeps only the tail of ./test's output, so ./test calls this right above its closing total.
"""
import sys
import xml.etree.ElementTree as ET

for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iter():
        if not result.tag.endswith("UnitTestResult") or result.get("outcome") != "Failed":
            continue
        message = next((m.text or "" for m in result.iter() if m.tag.endswith("Message")), "")
        lines = [line for line in message.strip().splitlines() if line.strip()][:4]
        print(f"  {result.get('testName')}")
        for line in lines:
            print(f"      {line[:300]}")
