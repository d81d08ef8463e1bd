"""Fail unless the test run executed (not skipped) tests on both SQLite and PostgreSQL."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def main(path: str) -> int:
    ran = {"sqlite": 0, "postgresql": 0}
    skipped = {"sqlite": 0, "postgresql": 0}
    for case in ET.parse(path).iter("testcase"):
        name = case.get("name", "")
        for backend in ran:
            if f"[{backend}" in name or f"-{backend}]" in name or f"-{backend}-" in name:
                if case.find("skipped") is not None:
                    skipped[backend] += 1
                else:
                    ran[backend] += 1
    print(
        f"backend tests run: sqlite {ran['sqlite']}, postgresql {ran['postgresql']}; "
        f"skipped: sqlite {skipped['sqlite']}, postgresql {skipped['postgresql']}"
    )
    if ran["postgresql"] == 0 or skipped["postgresql"] or ran["sqlite"] == 0:
        print("error: the tests must run on both SQLite and PostgreSQL, none skipped")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
