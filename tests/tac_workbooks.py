"""Small workbooks in the layout of NHS England's TAC data files, with MADE-UP values, for tests only.

Every trust and number here is invented (the names say "Made-up"); they exercise
the reader and the figures and are written only to temporary folders, never to
data/raw. The layout follows the documented one: a long "All data" sheet of
seven columns (organisation, WorkSheetName, TableID, MainCode, RowNumber,
SubCode, value in £000), whose organisation and value columns were renamed in
2022/23, and a "List of Providers" sheet with each trust's Sector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from kfanalysis.fields import TABLES

#: The header of "All data" before 2022/23 and from 2022/23 (padded with spaces, as some files are).
OLD_HEADER = (
    "Organisation Name",
    "WorkSheetName",
    "TableID",
    "MainCode",
    "RowNumber",
    "SubCode",
    "Value number",
)
NEW_HEADER = (" OrganisationName ", "WorkSheetName", "TableID", "MainCode", "RowNumber", "SubCode", " Total ")
#: Where each line sits on the form: (SubCode, worksheet, schedule number, form row).
_LINES = {
    "SCI0100A": ("TAC02 SoCI", "02", 12),
    "SCI0125A": ("TAC02 SoCI", "02", 14),
    "INC1365": ("TAC07 Op Inc 2", "07", 46),
    "EXP0390": ("TAC08 Op Exp", "08", 74),
}


@dataclass
class MadeUpTrust:
    """One invented trust: its name in each sheet, code, sector and values (£000) by (SubCode, 'CY'/'PY')."""

    name: str
    sector: str | None
    code: str | None
    values: dict[tuple[str, str], float]
    listed_as: str | None = None  # the name in "List of Providers", if it is spelt differently there

    def listed_name(self) -> str:
        return self.listed_as if self.listed_as is not None else self.name


@dataclass
class MadeUpFile:
    """One invented TAC file."""

    file_name: str
    trusts: list[MadeUpTrust]
    header: tuple[str, ...] = OLD_HEADER
    data_sheet: str = "All data"
    with_provider_list: bool = True
    extra_rows: list[tuple[object, ...]] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        book = openpyxl.Workbook()
        intro = book.active
        assert intro is not None
        intro.title = "Intro"
        intro.append(["Made-up test file in the layout of a TAC data file; no value in it is real."])
        if self.with_provider_list:
            providers = book.create_sheet("List of Providers")
            providers.append(["List of providers (made up)"])
            providers.append([])
            providers.append(["Full name of Provider", "NHS code", "Region", "Sector", "Comments "])
            for trust in self.trusts:
                providers.append([trust.listed_name(), trust.code, "Made-up region", trust.sector, None])
        data = book.create_sheet(self.data_sheet)
        data.append(list(self.header))
        for trust in self.trusts:
            for (code, year), value in trust.values.items():
                sheet, number, row = _LINES[code]
                data.append([trust.name, sheet, 1, f"A{number}{year}01", row, code, value])
            # a line the reader must skip, and a suffixed column of the same line
            data.append([trust.name, "TAC02 SoCI", 1, "A02CY01", 12, "SCI0100A", 1.0])
            data.append([trust.name, "TAC09 Staff", 1, "A08CY01P", 74, "EXP0390", 2.0])
        for row in self.extra_rows:
            data.append(list(row))
        path = folder / self.file_name
        book.save(path)
        return path


def _trust(
    name: str, sector: str, code: str, exp: tuple[float, float], inc: tuple[float, float], **kw: str
) -> MadeUpTrust:
    """A trust with EXP0390 and INC1365 (current, prior year) and SCI0125A as minus EXP0390."""
    values = {
        ("EXP0390", "CY"): exp[0],
        ("EXP0390", "PY"): exp[1],
        ("SCI0125A", "CY"): -exp[0],
        ("SCI0125A", "PY"): -exp[1],
        ("INC1365", "CY"): inc[0],
        ("INC1365", "PY"): inc[1],
    }
    return MadeUpTrust(name, sector, code, values, **kw)


NHS_TRUSTS_2017_18 = "All_TAC_data_published_in_NHS_trusts_accounts_for_2017-18.xlsx"
FOUNDATION_TRUSTS_2017_18 = "All_TAC_data_published_in_NHS_foundation_trusts_accounts_for_2017-18.xlsx"
NHS_TRUSTS_2021_22 = "TAC-data-published-in-NHS-trusts-accounts-for-2021-22.xlsx"
FOUNDATION_TRUSTS_2021_22 = "Made-up-name-of-the-foundation-trusts-file-for-2021-22.xlsx"


def made_up_files() -> list[MadeUpFile]:
    """Four made-up files: NHS trusts and foundation trusts for 2017/18 (old header) and 2021/22 (new).

    Worked by hand (all £000, all made up):
      Acute 2016/17 (prior-year columns of 2017/18): 400,000 + 600,000 = 1,000,000
      Acute 2021/22: 520,000 + 735,000 = 1,255,000 -> +25.5% cash
      Community 2016/17: 100,000; 2021/22: 113,000 -> +13.0% cash
      Mental Health 2016/17: 200,000; 2021/22: 230,000 -> +15.0% cash
      Acute income 2016/17: 420,000 + 610,000 = 1,030,000; 2021/22: 530,000 + 740,000 = 1,270,000
      Community income 2016/17: 101,000; 2021/22: 121,200 -> +20.0% cash
    """
    acute = "Made-up Acute Hospital NHS Trust"
    community = "Made-up Community Health NHS Trust"
    teaching = "Made-up Teaching Hospitals NHS Foundation Trust"
    mental = "Made-up Mental Health & Care NHS Foundation Trust"
    return [
        MadeUpFile(
            NHS_TRUSTS_2017_18,
            [
                _trust(acute, "Acute", "ZZ1", (450_000, 400_000), (460_000, 420_000)),
                _trust(community, "Community", "ZZ2", (105_000, 100_000), (106_000, 101_000)),
            ],
        ),
        MadeUpFile(
            FOUNDATION_TRUSTS_2017_18,
            [
                _trust(teaching, "Acute", "ZZ3", (640_000, 600_000), (650_000, 610_000)),
                _trust(
                    mental,
                    "Mental health",
                    "ZZ4",
                    (210_000, 200_000),
                    (211_000, 201_000),
                    listed_as="Made-up Mental Health and Care NHS Foundation Trust ",
                ),
            ],
        ),
        MadeUpFile(
            NHS_TRUSTS_2021_22,
            [
                _trust(acute, "Acute", "ZZ1", (520_000, 500_000), (530_000, 505_000)),
                _trust(community, "Community", "ZZ2", (113_000, 110_000), (121_200, 111_000)),
            ],
            header=NEW_HEADER,
            data_sheet="All Data",
        ),
        MadeUpFile(
            FOUNDATION_TRUSTS_2021_22,
            [
                _trust(teaching, "Acute", None, (735_000, 700_000), (740_000, 705_000)),
                _trust(mental, "Mental Health", "ZZ4", (230_000, 220_000), (231_000, 221_000)),
            ],
            header=NEW_HEADER,
        ),
    ]


def made_up_trust_rows() -> list[list[str]]:
    """A few MADE-UP trust_accounts rows (header first), to break in tests of the loader.

    The committed trust_accounts.csv holds no rows until the TAC files are ingested, so tests
    that break a copy of a raw table give this one made-up rows first; they never reach data/raw.
    """
    header = list(TABLES["trust_accounts"].columns)
    made_up = "made-up row for a test"
    return [
        header,
        [
            "2016/17",
            "Made-up Acute Hospital NHS Trust",
            "ZZ1",
            "Acute",
            "prior year",
            "400000",
            "-400000",
            "420000",
            "nhse_tac_nhs_trusts_2017_18",
            "sheet 'All data', row 3 (EXP0390, A08PY01)",
            "",
            made_up,
        ],
        [
            "2017/18",
            "Made-up Acute Hospital NHS Trust",
            "ZZ1",
            "Acute",
            "current year",
            "450000",
            "-450000",
            "460000",
            "nhse_tac_nhs_trusts_2017_18",
            "sheet 'All data', row 2 (EXP0390, A08CY01)",
            "",
            made_up,
        ],
        [
            "2017/18",
            "Made-up Community Health NHS Trust",
            "ZZ2",
            "Community",
            "current year",
            "105000",
            "-105000",
            "106000",
            "nhse_tac_nhs_trusts_2017_18",
            "sheet 'All data', row 9 (EXP0390, A08CY01)",
            "",
            made_up,
        ],
    ]
