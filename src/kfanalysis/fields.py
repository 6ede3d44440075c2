"""One dictionary of every column and table, the single source of truth.

The pandera schemas (``schemas.py``), the loader's dtype casts (``load.py``)
and the book's data dictionary are all generated from the definitions here, so
a column's type, unit and meaning are written down once. Units live in column
names as suffixes (``_pct``, ``_count``, ``_gbp_m``, ``_index``) and again in
``unit`` for readers.

This module imports nothing heavy: dtypes are named as strings and turned into
polars types only by the modules that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kfanalysis.periods import CANONICAL_PATTERN


@dataclass(frozen=True)
class Field:
    """A column: its type, unit, meaning and the values it may take.

    Attributes:
        name: Column name, snake_case with a unit suffix where it has a unit.
        dtype: One of ``"str"``, ``"float"``, ``"int"``, ``"bool"``.
        description: What the column means, including period and coverage conventions.
        unit: Unit for readers, or ``None`` for identifiers and text.
        minimum: Smallest allowed value (numbers only).
        maximum: Largest allowed value (numbers only).
        pattern: Regular expression every text value must match.
        allowed: The only values a text column may take.
        is_financial_year: The column holds a canonical financial year ("2021/22").
        label: A short plain heading for readers ("Vacancy rate"), shown in the book's tables
            instead of the column name; the unit is shown beside it, never repeated in it.
    """

    name: str
    dtype: str
    description: str
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    is_financial_year: bool = False
    label: str = ""

    def heading(self) -> str:
        """The label a reader sees for this column, falling back to the name in words."""
        return self.label or self.name.replace("_", " ").capitalize()

    def rule(self) -> str:
        """Describe in words the values this column accepts, for error messages and docs."""
        parts: list[str] = []
        if self.is_financial_year:
            parts.append("a financial year written like 2021/22")
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"between {self.minimum:g} and {self.maximum:g}")
        elif self.minimum is not None:
            parts.append(f"at least {self.minimum:g}")
        elif self.maximum is not None:
            parts.append(f"at most {self.maximum:g}")
        if self.allowed is not None:
            parts.append("one of " + ", ".join(repr(a) for a in self.allowed))
        if self.pattern is not None and not self.is_financial_year:
            parts.append(f"matching {self.pattern}")
        return "; ".join(parts) if parts else "any value"


@dataclass(frozen=True)
class Table:
    """A table: where it lives, its columns and what identifies a row.

    Attributes:
        name: Table name, as passed to ``kfanalysis.load``.
        description: What one row is and why the table exists.
        columns: Column names, in file order, each defined in ``FIELDS``.
        key: Columns that together identify a row; duplicates are rejected.
        nullable: Columns that may be empty (an honest gap, never a zero).
        is_raw: True for files in data/raw, False for built figure tables.
        may_be_empty: True for a raw table filled only by ``kfanalysis ingest`` from files too large
            to keep, which may honestly hold no rows until someone ingests them.
    """

    name: str
    description: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    nullable: frozenset[str] = field(default_factory=frozenset)
    is_raw: bool = True
    may_be_empty: bool = False

    @property
    def filename(self) -> str:
        """The CSV file name in data/raw or data/processed."""
        return f"{self.name}.csv"


def _financial_year(name: str, description: str, label: str = "") -> Field:
    """A column holding a canonical financial year ("2021/22")."""
    return Field(name, "str", description, pattern=CANONICAL_PATTERN, is_financial_year=True, label=label)


#: The columns every raw extract row ends with, saying where its value was read.
CITATION_COLUMNS = ("source_id", "locator", "read_at", "note")
#: Of those, the ones a row may leave empty (read_at when read in the publication itself).
OPTIONAL_CITATION = frozenset({"read_at", "note"})

#: Figure 1's settings, in the order the chart shows them (primary and community first).
SETTINGS = (
    "general practice",
    "community services",
    "outpatients",
    "A&E",
    "hospital admissions",
    "ambulance",
    "NHS 111",
)
#: What each Figure 1 value counts; a change is kept apart from a count so no code can add them.
ACTIVITY_MEASURES = (
    "appointments, reported",
    "appointments excluding COVID-19 vaccinations, 12 months",
    "increase on 2018/19 in appointments excluding COVID-19 vaccinations, 12 months",
    "appointments, all statuses, sum of sub-ICB location files",
    "care contacts",
    "outpatient appointments attended",
    "A&E attendances, all department types",
    "finished admission episodes",
    "incidents",
)

#: DHSC accounts lines read for Figure 2: the four primary care contracts and total resource DEL.
PRIMARY_CARE_LINES = (
    "general and personal medical services (GMS, PMS, APMS)",
    "general and personal dental services",
    "pharmaceutical services",
    "general ophthalmic services",
)
SPENDING_LINES = (*PRIMARY_CARE_LINES, "total resource DEL")
#: Figure 2's destinations of spending, NHS trust types first.
SPENDING_SECTORS = (
    "acute trusts",
    "mental health trusts",
    "community trusts",
    "ambulance trusts",
    "specialist trusts",
    "primary care",
    "council adult social care",
    "public health grant",
)

#: NHS England's trust types, as the TAC files' "List of Providers" names them (Figure 3's groups).
TRUST_SECTORS = ("Acute", "Specialist", "Mental Health", "Community", "Ambulance")
#: What Figure 3 sums over the trusts of each type.
TRUST_MEASURES = ("operating expenditure (EXP0390)", "operating income (INC1365)")

#: The staff groups the workforce extracts count.
STAFF_GROUPS = ("HCHS consultants", "fully qualified GPs", "nurses and health visitors")
#: Figure 5's comparisons, each with its own period, in the order the chart shows them.
FIG5_PANELS = ("past five years", "next five years", "plan, fifteen years", "since the report")
#: What a Figure 5 row's end point rests on.
EVIDENCE_KINDS = (
    "official count",
    "official statement",
    "report's own statement",
    "plan as reported by the NAO",
    "not found",
)

#: Kinds of place a raw value was read at (``kfanalysis/reading_places.csv``), nearest the publisher first.
READING_KINDS = (
    "publication itself",
    "copy of the official file",
    "parliamentary answer or mirror",
    "press or trade report",
    "third-party compilation",
)

#: Every ledger status, in the order they are shown and counted (see kfanalysis.published).
STATUSES: tuple[str, ...] = ("reproduced", "confirmed", "differs", "missing_input")

FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        # ---- provenance, on every raw extract row -------------------------------------
        Field(
            "source_id",
            "str",
            "Identifier of the official publication in data/raw/sources.toml.",
            pattern=r"^[a-z0-9_]+$",
            label="Source",
        ),
        Field(
            "locator",
            "str",
            "Where in the publication the value is: table, sheet, page, row.",
            label="Where in the source",
        ),
        Field(
            "read_at",
            "str",
            "Where the number was actually read, when that is not the publication itself: a URL (a "
            "parliamentary answer or its mirror, a press or trade report, an archived page) or a copy "
            "of the official file named as repository, path and commit. Empty when read in the "
            "publication itself. kfanalysis.provenance() classifies every reading by kind.",
            label="Read at",
        ),
        Field(
            "note",
            "str",
            "Caveats for this value: vintage, coverage, rounding, secondary reading.",
            label="Note",
        ),
        # ---- periods ----------------------------------------------------------------------
        _financial_year("financial_year", "Financial year, April to March.", label="Year"),
        _financial_year(
            "edition_data_to",
            "Latest financial year covered by the edition the value was read from; "
            "later editions revise earlier years, so this orders vintages.",
            label="Edition (data to)",
        ),
        Field(
            "quarter",
            "str",
            "Three-month Labour Force Survey period, e.g. '2023 Jan-Mar'.",
            pattern=r"^\d{4} (Jan-Mar|Apr-Jun|Jul-Sep|Oct-Dec)$",
            label="Quarter",
        ),
        # ---- prices -----------------------------------------------------------------------
        Field(
            "gdp_deflator_index",
            "float",
            "HM Treasury GDP deflator at market prices, UK, financial year, as published on the "
            "edition's own reference year (2021-22 = 100 in the March 2023 edition, 2022-23 = 100 in "
            "June 2023; built tables say their base in their name). Empty where the edition gives "
            "only a percentage change.",
            unit="index (reference year = 100)",
            minimum=0.0001,
            label="GDP deflator",
        ),
        Field(
            "gdp_deflator_change_pct",
            "float",
            "Percentage change in the GDP deflator on the previous financial year, as published.",
            unit="%",
            minimum=-50,
            maximum=100,
            label="Deflator change",
        ),
        Field(
            "is_forecast",
            "bool",
            "True where the value is an OBR forecast rather than ONS outturn.",
            label="Forecast",
        ),
        Field(
            "is_chained",
            "bool",
            "True where the index was built by chaining the published percentage changes onto "
            "the last published index value, because the edition gives no index for that year.",
            label="Chained",
        ),
        # ---- Figure 7: social care vacancies and unemployment -------------------------------
        Field(
            "vacancy_rate_pct",
            "float",
            "Adult social care vacancy rate, England: vacant posts as a share of filled plus "
            "vacant posts, average over the financial year (Skills for Care estimates).",
            unit="%",
            minimum=0,
            maximum=100,
            label="Vacancy rate",
        ),
        Field(
            "vacancies_count",
            "int",
            "Adult social care vacant posts, England, average on any day of the financial year, "
            "as published (usually rounded to the nearest thousand).",
            unit="posts",
            minimum=0,
            label="Vacant posts",
        ),
        Field(
            "sector",
            "str",
            "Which employers the vacancy estimate covers.",
            allowed=("all sectors", "not stated"),
            label="Sector",
        ),
        Field(
            "geography",
            "str",
            "Area the statistic covers.",
            allowed=("United Kingdom", "England"),
            label="Area",
        ),
        Field(
            "unemployment_rate_pct",
            "float",
            "ILO unemployment rate, aged 16 and over, seasonally adjusted, Labour Force Survey, "
            "for the quarter shown, as first published unless the note says otherwise.",
            unit="%",
            minimum=0,
            maximum=100,
            label="Unemployment rate",
        ),
        Field(
            "is_newer_than_report",
            "bool",
            "True for years after the latest the report shows: newer data added by this project.",
            label="Newer than the report",
        ),
        Field(
            "vacancy_rate_source_id",
            "str",
            "source_id of the vacancy rate in this row.",
            pattern=r"^[a-z0-9_]+$",
            label="Source of vacancy rate",
        ),
        Field(
            "vacancies_source_id",
            "str",
            "source_id of the vacancy count in this row.",
            pattern=r"^[a-z0-9_]+$",
            label="Source of vacant posts",
        ),
        Field(
            "unemployment_source_id",
            "str",
            "source_id of the unemployment rate in this row.",
            pattern=r"^[a-z0-9_]+$",
            label="Source of unemployment rate",
        ),
        # ---- Figure 4: council adult social care -----------------------------------------
        Field(
            "price_basis",
            "str",
            "Whether money is in cash or in the real terms of a stated publisher and base year.",
            allowed=("cash", "real terms, 2020/21 prices, NHS Digital"),
            label="Prices",
        ),
        Field(
            "gross_current_expenditure_gbp_bn",
            "float",
            "Councils' gross current expenditure on adult social care, England: spending including "
            "what clients contribute, excluding capital charges and spending funded by NHS income.",
            unit="£ billion",
            minimum=0,
            label="Gross current spending",
        ),
        Field(
            "measure",
            "str",
            "Which Short and Long Term (SALT) activity count the row holds.",
            allowed=(
                "long-term support during the year",
                "requests for support from new clients",
                "long-term support during the year, aged 18-64",
                "long-term support during the year, aged 65 and over",
                "requests for support from new clients, aged 18-64",
                "requests for support from new clients, aged 65 and over",
                "long-term support at year end (31 March)",
                "short-term support to maximise independence (ST-Max), completed episodes",
                "short-term support to maximise independence (ST-Max), completed episodes, aged 18-64",
                "short-term support to maximise independence (ST-Max), completed episodes, aged 65 and over",
            ),
            label="Measure",
        ),
        Field(
            "gce_real_change_pct",
            "float",
            "Real-terms change in gross current expenditure on the previous year, as the publisher states it "
            "(with its own deflator).",
            unit="%",
            minimum=-50,
            maximum=50,
            label="Real change in spending",
        ),
        Field(
            "is_covid_year",
            "bool",
            "True for 2020/21 and 2021/22, when spending included one-off Covid-19 funding.",
            label="Covid-19 year",
        ),
        Field(
            "gce_cash_gbp_bn",
            "float",
            "Gross current expenditure in cash, as published.",
            unit="£ billion",
            minimum=0,
            label="Spending, cash",
        ),
        Field(
            "gce_precision_decimals",
            "int",
            "Decimal places of £bn the cash figure was published to.",
            minimum=0,
            maximum=6,
            label="Decimals published",
        ),
        Field(
            "gce_real_2021_22_gbp_bn",
            "float",
            "Gross current expenditure at 2021/22 prices (HM Treasury GDP deflator, March 2023).",
            unit="£ billion, 2021/22 prices",
            minimum=0,
            label="Spending, real terms",
        ),
        Field(
            "is_deflator_forecast",
            "bool",
            "True where the year's real-terms value rests on a forecast year of the March 2023 deflator "
            "(OBR forecast, not ONS outturn); a later edition will move it.",
            label="Forecast deflator",
        ),
        Field(
            "is_activity_series_break",
            "bool",
            "True from the year the activity counts come from client level data instead of the SALT "
            "return: not comparable with earlier years, so no count is joined to the series.",
            label="Activity series break",
        ),
        Field(
            "is_edition_coverage_change",
            "bool",
            "True where the year's estimate comes from an edition that counts a different set of posts "
            "from the editions before it: not a like-for-like continuation.",
            label="Edition coverage differs",
        ),
        Field(
            "series_note",
            "str",
            "What makes the year not like-for-like with earlier ones (a change of source, edition or "
            "coverage); empty where nothing does.",
            label="Series note",
        ),
        Field(
            "is_deflator_chained",
            "bool",
            "True where the year's deflator was chained from OBR forecast changes, not published.",
            label="Deflator chained",
        ),
        Field(
            "gce_real_index",
            "float",
            "Real gross current expenditure, 2015/16 = 100.",
            unit="index",
            minimum=0,
            label="Real spending index",
        ),
        Field(
            "long_term_support_count",
            "int",
            "Clients receiving long-term support during the year.",
            unit="clients",
            minimum=0,
            label="Long-term support clients",
        ),
        Field(
            "long_term_support_index",
            "float",
            "Clients receiving long-term support, 2015/16 = 100.",
            unit="index",
            minimum=0,
            label="Long-term support index",
        ),
        Field(
            "requests_count",
            "int",
            "Requests for support from new clients.",
            unit="requests",
            minimum=0,
            label="Requests for support",
        ),
        Field(
            "long_term_support_basis",
            "str",
            "Which published figure gives the long-term support count: an all-ages total to the unit, "
            "the sum of the two published age bands (each rounded to 5), or a rounded all-ages total.",
            allowed=("published total", "sum of age bands", "rounded published total"),
            label="Long-term support: which figure",
        ),
        Field(
            "requests_basis",
            "str",
            "Which published figure gives the requests count (same choices as for long-term support).",
            allowed=("published total", "sum of age bands", "rounded published total"),
            label="Requests: which figure",
        ),
        Field(
            "requests_index",
            "float",
            "Requests for support from new clients, 2015/16 = 100.",
            unit="index",
            minimum=0,
            label="Requests index",
        ),
        # ---- NHS trust accounts (TAC) and Figure 3 ----------------------------------------
        Field(
            "trust_name",
            "str",
            "The NHS trust or foundation trust, by its full name as the TAC file's 'All data' sheet "
            "gives it.",
            label="Trust",
        ),
        Field(
            "ods_code",
            "str",
            "The trust's three-character NHS (ODS) code, where the file's 'List of Providers' gives it.",
            pattern=r"^[A-Z0-9]{3}$",
            label="NHS code",
        ),
        Field(
            "trust_sector",
            "str",
            "The trust's type, as NHS England's 'List of Providers' sheet of the same file gives it.",
            allowed=TRUST_SECTORS,
            label="Trust type",
        ),
        Field(
            "year_column",
            "str",
            "Which column of the file the year's values are in: the file's own year, or the prior year it "
            "repeats (how 2016/17 is reached, from the 2017/18 files).",
            allowed=("current year", "prior year"),
            label="Column",
        ),
        Field(
            "operating_expenditure_gbp_k",
            "float",
            "Total operating expenditure, TAC line EXP0390 (schedule TAC08), £ thousand.",
            unit="£000",
            label="Operating expenditure",
        ),
        Field(
            "soci_operating_expenses_gbp_k",
            "float",
            "Operating expenses in the statement of comprehensive income, TAC line SCI0125A (TAC02), "
            "£ thousand, negative as the form expects; a cross-check on EXP0390.",
            unit="£000",
            maximum=0,
            label="Operating expenses (SoCI)",
        ),
        Field(
            "operating_income_gbp_k",
            "float",
            "Total operating income, TAC line INC1365 (schedule TAC07), £ thousand.",
            unit="£000",
            label="Operating income",
        ),
        Field(
            "trust_measure",
            "str",
            "What is summed over the trusts of a type: operating expenditure (EXP0390) or operating "
            "income (INC1365).",
            allowed=TRUST_MEASURES,
            label="Measure",
        ),
        Field(
            "money_basis",
            "str",
            "Cash, or real terms at 2021/22 prices (HM Treasury GDP deflator, March 2023).",
            allowed=("cash", "real terms, 2021/22 prices"),
            label="Prices",
        ),
        _financial_year("from_year", "First year of the growth.", label="From"),
        _financial_year("to_year", "Last year of the growth.", label="To"),
        Field(
            "from_gbp_m", "float", "The trusts' total in the first year, £ million.", unit="£m", label="From"
        ),
        Field("to_gbp_m", "float", "The trusts' total in the last year, £ million.", unit="£m", label="To"),
        Field(
            "from_trusts_count", "int", "Trusts summed in the first year.", minimum=0, label="Trusts, from"
        ),
        Field("to_trusts_count", "int", "Trusts summed in the last year.", minimum=0, label="Trusts, to"),
        # ---- Figure 5: doctors ------------------------------------------------------------
        Field(
            "snapshot_date",
            "str",
            "Date of a workforce snapshot (ISO 8601).",
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            label="Snapshot date",
        ),
        Field(
            "staff_group",
            "str",
            "Which staff the count covers: consultants in hospital and community health services, GPs "
            "excluding those in training (fully qualified GPs), or nurses and health visitors in hospital "
            "and community health services, all care settings together.",
            allowed=STAFF_GROUPS,
            label="Staff group",
        ),
        Field(
            "basis",
            "str",
            "Whether staff are counted as full-time equivalents (37.5 hours a week = 1) or as people.",
            allowed=("FTE", "headcount"),
            label="Basis",
        ),
        Field(
            "staff_number",
            "float",
            "Number of staff, on the row's basis (FTE or headcount).",
            unit="FTE or people",
            minimum=0,
            label="Staff",
        ),
        Field(
            "period_label",
            "str",
            "The period the row's figure covers, e.g. 'Sep 2016 to Sep 2021'.",
            label="Period",
        ),
        Field(
            "panel",
            "str",
            "Which comparison of the chart a growth row belongs to: the past five years, the next five "
            "years (to 2026/27, the report's own horizon), or the workforce plan's fifteen years as the "
            "National Audit Office reports them.",
            allowed=FIG5_PANELS,
            label="Comparison",
        ),
        Field(
            "evidence",
            "str",
            "What the row's figure rests on: an official count, an official statement, a number only the "
            "report states, a plan figure as reported by the National Audit Office, or nothing found.",
            allowed=EVIDENCE_KINDS,
            label="End point",
        ),
        Field(
            "gap",
            "str",
            "For a row without an end point or with a borrowed one: what is missing or assumed, in words.",
            label="What is missing",
        ),
        Field(
            "start_number",
            "float",
            "Staff at the start of the period.",
            unit="FTE or people",
            minimum=0,
            label="At start",
        ),
        Field(
            "end_number",
            "float",
            "Staff at the end of the period.",
            unit="FTE or people",
            minimum=0,
            label="At end",
        ),
        Field(
            "years_from_start",
            "float",
            "Years from the first snapshot of the series to this one, in whole months over twelve.",
            unit="years",
            minimum=0,
            label="Years from start",
        ),
        # ---- Figure 6: published statements shown beside the chart --------------------------
        Field(
            "statement_id",
            "str",
            "Identifier of an official statement about the nursing workforce.",
            pattern=r"^[a-z0-9_]+$",
            label="Statement",
        ),
        Field(
            "who_is_counted",
            "str",
            "Which staff the statement counts, in this project's words.",
            label="Who is counted",
        ),
        Field(
            "stated_period",
            "str",
            "The date or span the statement refers to, as the publisher gives it (e.g. '2009 to 2023').",
            label="Period stated",
        ),
        Field(
            "qualifier",
            "str",
            "How the publisher qualifies the number: exactly as stated, 'at least' or 'nearly'.",
            allowed=("as stated", "at least", "nearly"),
            label="Qualifier",
        ),
        Field(
            "stated_value",
            "float",
            "The number as the publisher states it; a fall is negative.",
            unit="see stated_unit",
            label="Value as stated",
        ),
        Field(
            "stated_unit",
            "str",
            "Unit of the stated number, in the publisher's words; 'not stated' where it gives none.",
            allowed=("% change", "FTE", "not stated"),
            label="Unit as stated",
        ),
        Field(
            "unit_read_as",
            "str",
            "The unit this project reads the number in: the stated unit where one is given, otherwise "
            "our reading, with its grounds in the row's note.",
            allowed=("% change", "FTE"),
            label="Unit read as",
        ),
        Field(
            "period_as_published",
            "str",
            "The period exactly as the publication words it ('in 2021', 'by 2037/38'), or 'not stated' "
            "with the words it comes from; financial_year holds our reading of it.",
            label="Period as published",
        ),
        Field(
            "unit_as_published",
            "str",
            "The unit as the publication gives it; 'not stated' where it gives none (basis then holds our "
            "reading).",
            allowed=("FTE", "headcount", "not stated"),
            label="Unit as published",
        ),
        Field(
            "value",
            "float",
            "The row's number: a count of staff, a stated change, or a stated number of extra staff; "
            "value_unit says which.",
            unit="see value_unit",
            label="Value",
        ),
        Field(
            "value_unit",
            "str",
            "Unit of value.",
            allowed=(
                "headcount",
                "FTE",
                "% change",
                "more staff (basis not stated)",
                "FTE (unit not stated; our reading)",
            ),
            label="Unit",
        ),
        Field("years", "float", "Length of the period in years.", unit="years", minimum=0, label="Years"),
        Field("growth_pct", "float", "Growth over the whole period.", unit="%", label="Growth"),
        Field(
            "annual_growth_pct",
            "float",
            "Compound annual growth over the period.",
            unit="% a year",
            label="Growth a year",
        ),
        # ---- Figure 1: daily NHS activity --------------------------------------------------
        Field(
            "setting",
            "str",
            "Where the activity happens, in the report's Figure 1 categories.",
            allowed=SETTINGS,
            label="Setting",
        ),
        Field(
            "activity_measure",
            "str",
            "What is counted, as the publisher defines it (appointments, contacts, attendances, episodes, "
            "incidents), and whether it is a total or a published change.",
            allowed=ACTIVITY_MEASURES,
            label="What is counted",
        ),
        Field(
            "activity_count",
            "int",
            "How many were counted in the period, as published (rounded where precision_decimals is "
            "negative); what is counted is named beside it. In nhs_activity: appointments, care contacts, "
            "attendances, episodes or incidents (activity_measure). In asc_activity: clients receiving "
            "long-term support at any time in the year (people), or requests for support from new clients "
            "(requests, not people) (measure).",
            unit="count",
            minimum=0,
            label="Number",
        ),
        Field(
            "is_primary_or_community",
            "bool",
            "True for general practice and community services, the settings the report sets against "
            "hospitals.",
            label="Primary or community",
        ),
        Field(
            "days_in_year",
            "int",
            "Calendar days in the financial year (365 or 366).",
            unit="days",
            minimum=365,
            maximum=366,
            label="Days",
        ),
        Field(
            "annual_count",
            "float",
            "Activity in the financial year: a published annual total, or the sum of its twelve published "
            "months.",
            unit="count a year",
            minimum=0,
            label="Number a year",
        ),
        Field(
            "how_annual",
            "str",
            "How the annual figure was obtained from the published values.",
            label="How made annual",
        ),
        Field(
            "per_day",
            "float",
            "Average activity a calendar day: the annual figure over days_in_year.",
            unit="count a day",
            minimum=0,
            label="A day",
        ),
        Field(
            "share_of_day_pct",
            "float",
            "This setting's share of all the settings' activity a day in that year.",
            unit="%",
            minimum=0,
            maximum=100,
            label="Share of the day",
        ),
        # ---- Figure 2: spending by sector ------------------------------------------------
        Field(
            "spending_line",
            "str",
            "A line of the DHSC annual report and accounts: one of the four primary care contracts, or "
            "total resource DEL (the department's day-to-day budget outturn).",
            allowed=SPENDING_LINES,
            label="Spending line",
        ),
        Field(
            "spending_gbp_m",
            "float",
            "Outturn in cash, as published.",
            unit="£ million",
            minimum=0,
            label="Spending",
        ),
        Field(
            "grant_gbp_bn",
            "float",
            "Public health grant to local authorities in England, total allocation for the year, cash.",
            unit="£ billion",
            minimum=0,
            label="Grant",
        ),
        Field(
            "stated_extra_number",
            "float",
            "Extra staff the report itself states for the period, where it states no level, no basis and "
            "no rate: shown as its statement and never turned into a growth rate.",
            unit="staff",
            minimum=0,
            label="Extra staff, as the report states",
        ),
        # ---- estimates quoted by the report, and third parties' estimates of its claims ---------
        Field(
            "estimate_id",
            "str",
            "Identifier of a published estimate that no series here can rebuild.",
            pattern=r"^[a-z0-9_]+$",
            label="Estimate",
        ),
        Field(
            "is_third_party",
            "bool",
            "True for a third party's own estimate (recorded to compare with ours, never an input); "
            "False for the publication the report itself quotes.",
            label="Third party",
        ),
        Field(
            "what_is_estimated",
            "str",
            "What the estimate measures and on what basis, in this project's words.",
            label="What is estimated",
        ),
        Field(
            "estimate_value",
            "float",
            "The number exactly as the publisher states it; estimate_unit says what it counts.",
            unit="see estimate_unit",
            label="Value as published",
        ),
        Field(
            "estimate_unit",
            "str",
            "What the published number counts.",
            allowed=("extra jobs", "% real-terms cut per person"),
            label="Unit as published",
        ),
        Field(
            "data_edition",
            "str",
            "The edition of data (or deflator) the estimate rests on, as the publisher names it: the same "
            "measure gives other numbers in other editions.",
            label="Data edition",
        ),
        Field(
            "spending_sector",
            "str",
            "Where the money goes, in the report's Figure 2 categories.",
            allowed=SPENDING_SECTORS,
            label="Where it goes",
        ),
        Field(
            "spending_cash_gbp_bn",
            "float",
            "Spending in cash.",
            unit="£ billion",
            minimum=0,
            label="Spending, cash",
        ),
        Field(
            "spending_real_2021_22_gbp_bn",
            "float",
            "Spending at 2021/22 prices (HM Treasury GDP deflator, March 2023).",
            unit="£ billion, 2021/22 prices",
            minimum=0,
            label="Spending, real terms",
        ),
        Field(
            "share_of_dhsc_rdel_pct",
            "float",
            "Spending as a share of DHSC total resource DEL outturn in the same year (primary care only).",
            unit="%",
            minimum=0,
            maximum=100,
            label="Share of DHSC spending",
        ),
        Field(
            "what_is_counted",
            "str",
            "Which published lines or totals the row adds up, and on what basis.",
            label="What is counted",
        ),
        # ---- published numbers and the ledger ---------------------------------------------
        Field(
            "claim_id",
            "str",
            "Identifier of a published number; also its glue key in the book.",
            pattern=r"^[a-z0-9_]+$",
            label="Claim id",
        ),
        Field(
            "figure",
            "str",
            "Report figure the number belongs to.",
            allowed=("fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7"),
            label="Figure",
        ),
        Field("claim", "str", "The claim in this project's own words.", label="Claim"),
        Field(
            "published_value",
            "float",
            "The number as published, without thousands separators.",
            label="Published",
        ),
        Field(
            "unit",
            "str",
            "Unit of the published number.",
            allowed=(
                "count",
                "count_per_day",
                "pct",
                "pct_points",
                "pct_per_year",
                "gbp_bn",
                "gbp_m",
                "fte",
                "headcount",
                "posts",
            ),
            label="Unit",
        ),
        Field(
            "comparison",
            "str",
            "How the claim compares: 'rounds_to' (the value as published, to its precision), "
            "'more_than' or 'less_than' (a bound, as in 'over a quarter').",
            allowed=("rounds_to", "more_than", "less_than"),
            label="Test",
        ),
        Field(
            "precision_decimals",
            "int",
            "Decimal places the number was published to; negative for round thousands "
            "(-3 means to the nearest 1,000), so the tolerance is half of 10 to the minus this.",
            minimum=-6,
            maximum=6,
            label="Decimals published",
        ),
        Field(
            "period",
            "str",
            "The period a value covers. In nhs_activity: a financial year ('2022/23') or a calendar "
            "month ('2022-04'). In published_numbers and the ledger: the period a claim refers to, "
            "e.g. '2021/22' or '2016/17 to 2021/22'.",
            label="Period",
        ),
        Field(
            "place",
            "str",
            "The start of a read_at value that names one place values were read at: a site's address "
            "('https://www.communitycare.co.uk/') or a repository ('GitHub HFAnalyticsLab/open_data'). "
            "A read_at belongs to the longest place it starts with.",
            label="Place read at",
        ),
        Field(
            "reading_kind",
            "str",
            "What kind of place a value was read at: the publication itself (read_at empty, or the "
            "publisher's own site); a copy of the official file (a repository at a commit, an archive, a "
            "mirror); a parliamentary answer or its mirror; a press or trade report; or a third-party "
            "compilation of official files (totals someone else summed from official files).",
            allowed=READING_KINDS,
            label="Kind of reading",
        ),
        Field(
            "what",
            "str",
            "What the place is, and why it is classified so.",
            label="What it is",
        ),
        Field(
            "published_in",
            "str",
            "Where the number was published: report page or press release.",
            label="Published in",
        ),
        Field("ours_value", "float", "The value recomputed by this project, unrounded.", label="Ours"),
        Field("difference", "float", "Ours minus published, in the published unit.", label="Difference"),
        Field(
            "status",
            "str",
            "Reproduction status: reproduced (recomputed from inputs that do not contain the claim), "
            "confirmed (found as published in the source the report quotes), differs, or missing_input.",
            allowed=STATUSES,
            label="Status",
        ),
        Field("reason", "str", "Why the status is what it is: method, definitions, vintage.", label="Why"),
        Field(
            "missing_input",
            "str",
            "The input that is not in the snapshot, for missing_input rows.",
            label="Missing input",
        ),
        Field(
            "ours_value_deflator_2023_06",
            "float",
            "For a claim stated in real terms: our value recomputed with HM Treasury's June 2023 GDP "
            "deflator instead of March 2023's. Empty for claims not in real terms.",
            label="Ours, June 2023 deflator",
        ),
        Field(
            "status_deflator_2023_06",
            "str",
            "For a claim stated in real terms: its status with the June 2023 deflator, to show whether the "
            "finding survives a change of deflator edition. Empty for claims not in real terms.",
            allowed=STATUSES,
            label="Status, June 2023 deflator",
        ),
    ]
}


def _extract(
    name: str,
    description: str,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    nullable: frozenset[str] = frozenset(),
    may_be_empty: bool = False,
) -> Table:
    """A raw extract: its own columns, then the citation columns every extract row ends with."""
    return Table(
        name,
        description,
        (*columns, *CITATION_COLUMNS),
        key,
        nullable | OPTIONAL_CITATION,
        may_be_empty=may_be_empty,
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        *(
            _extract(
                name,
                f"HM Treasury GDP deflator at market prices by financial year, {what}.",
                (
                    "financial_year",
                    "gdp_deflator_index",
                    "gdp_deflator_change_pct",
                    "is_forecast",
                ),
                key=("financial_year",),
                nullable=frozenset({"gdp_deflator_index", "gdp_deflator_change_pct"}),
            )
            for name, what in (
                (
                    "gdp_deflator",
                    "March 2023 (Quarterly National Accounts) edition, 2021-22 = 100: the edition the "
                    "report names and the base of every real-terms figure",
                ),
                (
                    "gdp_deflator_2023_06",
                    "June 2023 (Quarterly National Accounts) edition, 2022-23 = 100: a later vintage, "
                    "held to show how far real-terms results move with the edition",
                ),
            )
        ),
        _extract(
            "social_care_vacancies",
            "Adult social care vacancy rate and vacant posts in England, one row per financial "
            "year and edition read, because Skills for Care revises its back series every year.",
            (
                "financial_year",
                "edition_data_to",
                "sector",
                "vacancy_rate_pct",
                "vacancies_count",
            ),
            key=("financial_year", "edition_data_to"),
            nullable=frozenset({"vacancy_rate_pct", "vacancies_count"}),
        ),
        _extract(
            "unemployment_rate",
            "Labour Force Survey unemployment rate for the January-March quarter that closes each "
            "financial year.",
            (
                "financial_year",
                "quarter",
                "geography",
                "unemployment_rate_pct",
            ),
            key=("financial_year", "geography"),
        ),
        Table(
            "published_numbers",
            "Every number the report and its press coverage publish about the data: the claims "
            "this project tests.",
            (
                "claim_id",
                "figure",
                "claim",
                "published_value",
                "unit",
                "comparison",
                "precision_decimals",
                "period",
                "published_in",
                "locator",
            ),
            key=("claim_id",),
        ),
        _extract(
            "asc_expenditure",
            "Councils' gross current expenditure on adult social care in England, one row per year, price "
            "basis and publication.",
            (
                "financial_year",
                "price_basis",
                "gross_current_expenditure_gbp_bn",
                "precision_decimals",
            ),
            key=("financial_year", "price_basis", "source_id"),
        ),
        _extract(
            "asc_activity",
            "Adult social care activity in England (long-term support, requests for support), one row per "
            "year, measure and publication.",
            (
                "financial_year",
                "measure",
                "activity_count",
                "precision_decimals",
            ),
            key=("financial_year", "measure", "source_id"),
        ),
        _extract(
            "asc_real_change_published",
            "The publisher's own real-terms change in gross current expenditure, to compare with ours.",
            ("financial_year", "gce_real_change_pct"),
            key=("financial_year", "source_id"),
        ),
        _extract(
            "doctors_workforce",
            "Consultants and fully qualified GPs in England at each snapshot date, by counting basis and "
            "publication.",
            (
                "snapshot_date",
                "staff_group",
                "basis",
                "staff_number",
            ),
            key=("snapshot_date", "staff_group", "basis", "source_id"),
        ),
        _extract(
            "nurses_workforce",
            "Nurses and health visitors in NHS hospital and community health services in England, all care "
            "settings together, at each snapshot date, by counting basis and publication.",
            (
                "snapshot_date",
                "staff_group",
                "basis",
                "staff_number",
            ),
            key=("snapshot_date", "staff_group", "basis", "source_id"),
        ),
        _extract(
            "workforce_statements",
            "Official statements about the nursing workforce (changes and levels) that no series here "
            "can rebuild, kept to show beside Figure 6 as published, never mixed into its series.",
            (
                "statement_id",
                "who_is_counted",
                "stated_period",
                "qualifier",
                "stated_value",
                "stated_unit",
                "unit_read_as",
            ),
            key=("statement_id",),
        ),
        _extract(
            "ltwp_projections",
            "The NHS Long Term Workforce Plan's baseline and projected staff, by staff group and year, with "
            "the period and unit as published beside this project's readings of them (financial_year, "
            "basis).",
            (
                "staff_group",
                "period_as_published",
                "financial_year",
                "staff_number",
                "unit_as_published",
                "basis",
            ),
            key=("staff_group", "financial_year", "source_id"),
        ),
        _extract(
            "nhs_activity",
            "NHS activity in England by setting: published annual totals and published monthly values "
            "(a year's months are summed only when all twelve are present).",
            (
                "setting",
                "activity_measure",
                "financial_year",
                "period",
                "activity_count",
                "precision_decimals",
            ),
            key=("setting", "activity_measure", "period", "source_id"),
        ),
        _extract(
            "dhsc_spending",
            "DHSC annual report and accounts: primary care contract lines and total resource DEL outturn, "
            "cash, one row per year and line.",
            ("financial_year", "spending_line", "spending_gbp_m"),
            key=("financial_year", "spending_line", "source_id"),
        ),
        _extract(
            "public_health_grant",
            "Public health ring-fenced grant to local authorities in England, total allocation by year.",
            ("financial_year", "grant_gbp_bn", "precision_decimals"),
            key=("financial_year", "source_id"),
        ),
        _extract(
            "trust_accounts",
            "NHS trusts' and foundation trusts' operating expenditure and income from NHS England's Trust "
            "Accounts Consolidation (TAC) data files, one row per trust, year and file, read by "
            "`kfanalysis ingest tac`.",
            (
                "financial_year",
                "trust_name",
                "ods_code",
                "trust_sector",
                "year_column",
                "operating_expenditure_gbp_k",
                "soci_operating_expenses_gbp_k",
                "operating_income_gbp_k",
            ),
            key=("financial_year", "trust_name", "source_id"),
            nullable=frozenset(
                {
                    "ods_code",
                    "operating_expenditure_gbp_k",
                    "soci_operating_expenses_gbp_k",
                    "operating_income_gbp_k",
                }
            ),
            may_be_empty=True,
        ),
        _extract(
            "quoted_estimates",
            "Published estimates that no series here can rebuild: projections the report quotes (found as "
            "published, never reproduced) and third parties' estimates of the report's claims (recorded "
            "beside ours, never used as inputs).",
            (
                "estimate_id",
                "is_third_party",
                "what_is_estimated",
                "stated_period",
                "estimate_value",
                "estimate_unit",
                "data_edition",
            ),
            key=("estimate_id",),
        ),
        # ---- built tables (data/processed) -------------------------------------------------
        Table(
            "fig3_trust_growth",
            "Figure 3: growth in NHS trusts' operating expenditure (and, as a second basis, income) by trust "
            "type, 2016/17 to 2021/22, cash and 2021/22 prices; a type whose files are not in data/raw has "
            "empty values and says which files are needed.",
            (
                "trust_sector",
                "trust_measure",
                "money_basis",
                "from_year",
                "to_year",
                "what_is_counted",
                "from_gbp_m",
                "to_gbp_m",
                "from_trusts_count",
                "to_trusts_count",
                "growth_pct",
                "gap",
            ),
            key=("trust_sector", "trust_measure", "money_basis"),
            nullable=frozenset(
                {
                    "what_is_counted",
                    "from_gbp_m",
                    "to_gbp_m",
                    "from_trusts_count",
                    "to_trusts_count",
                    "growth_pct",
                    "gap",
                }
            ),
            is_raw=False,
        ),
        Table(
            "deflator_2021_22",
            "The GDP deflator used for real terms, 2021/22 = 100, with chained forecast years marked.",
            ("financial_year", "gdp_deflator_index", "is_forecast", "is_chained", "source_id"),
            key=("financial_year",),
            is_raw=False,
        ),
        Table(
            "fig1_activity",
            "Figure 1: average NHS activity a day in England by setting, 2018/19 and the latest year, with "
            "each setting's share; settings with no published figure are listed with empty values.",
            (
                "financial_year",
                "setting",
                "is_primary_or_community",
                "activity_measure",
                "annual_count",
                "how_annual",
                "days_in_year",
                "per_day",
                "share_of_day_pct",
                "source_id",
            ),
            key=("financial_year", "setting"),
            nullable=frozenset(
                {"activity_measure", "annual_count", "how_annual", "per_day", "share_of_day_pct", "source_id"}
            ),
            is_raw=False,
        ),
        Table(
            "fig2_spending",
            "Figure 2: spending on health and care in England by destination and year, cash and 2021/22 "
            "prices; destinations with no published figure are listed with empty values.",
            (
                "financial_year",
                "spending_sector",
                "what_is_counted",
                "spending_cash_gbp_bn",
                "spending_real_2021_22_gbp_bn",
                "share_of_dhsc_rdel_pct",
                "source_id",
            ),
            key=("financial_year", "spending_sector"),
            nullable=frozenset(
                {
                    "what_is_counted",
                    "spending_cash_gbp_bn",
                    "spending_real_2021_22_gbp_bn",
                    "share_of_dhsc_rdel_pct",
                    "source_id",
                }
            ),
            is_raw=False,
        ),
        Table(
            "fig4_social_care",
            "Figure 4: councils' real spending on adult social care against people supported and requests "
            "for support, indexed to 2015/16.",
            (
                "financial_year",
                "is_covid_year",
                "is_newer_than_report",
                "gce_cash_gbp_bn",
                "gce_precision_decimals",
                "gce_real_2021_22_gbp_bn",
                "is_deflator_chained",
                "gce_real_index",
                "long_term_support_count",
                "long_term_support_basis",
                "long_term_support_index",
                "requests_count",
                "requests_basis",
                "requests_index",
                "is_deflator_forecast",
                "is_activity_series_break",
                "series_note",
            ),
            key=("financial_year",),
            nullable=frozenset(
                {
                    "gce_cash_gbp_bn",
                    "gce_precision_decimals",
                    "gce_real_2021_22_gbp_bn",
                    "is_deflator_chained",
                    "gce_real_index",
                    "long_term_support_count",
                    "long_term_support_basis",
                    "long_term_support_index",
                    "requests_count",
                    "requests_basis",
                    "requests_index",
                    "is_deflator_forecast",
                    "series_note",
                }
            ),
            is_raw=False,
        ),
        Table(
            "fig5_doctors",
            "Figure 5: growth in consultants and fully qualified GPs over the past five years, the next five "
            "(to 2026/27, from what is published about that period) and the workforce plan's fifteen years; "
            "a row whose end point was not found has empty values and says what is missing.",
            (
                "staff_group",
                "panel",
                "evidence",
                "basis",
                "period_label",
                "start_number",
                "end_number",
                "years",
                "growth_pct",
                "annual_growth_pct",
                "stated_extra_number",
                "source_id",
                "gap",
            ),
            key=("staff_group", "panel"),
            nullable=frozenset(
                {
                    "basis",
                    "start_number",
                    "end_number",
                    "growth_pct",
                    "annual_growth_pct",
                    "stated_extra_number",
                    "gap",
                }
            ),
            is_raw=False,
        ),
        Table(
            "fig6_nurses",
            "Figure 6: nurses and health visitors in NHS hospital and community health services, England, "
            "all care settings, headcount each September (official count rows), with the official statements "
            "shown beside the chart and the report's own statement about the next years, each row marked by "
            "its evidence so none is mixed into the series.",
            (
                "evidence",
                "who_is_counted",
                "period_label",
                "snapshot_date",
                "years_from_start",
                "qualifier",
                "value",
                "value_unit",
                "source_id",
            ),
            key=("evidence", "who_is_counted", "period_label"),
            nullable=frozenset({"snapshot_date", "years_from_start"}),
            is_raw=False,
        ),
        Table(
            "fig7_vacancies",
            "Figure 7: social care vacancy rate and the unemployment rate, by financial year.",
            (
                "financial_year",
                "is_newer_than_report",
                "edition_data_to",
                "vacancy_rate_pct",
                "sector",
                "vacancy_rate_source_id",
                "vacancies_count",
                "vacancies_source_id",
                "unemployment_rate_pct",
                "geography",
                "unemployment_source_id",
                "is_edition_coverage_change",
                "series_note",
            ),
            key=("financial_year",),
            nullable=frozenset(
                {
                    "edition_data_to",
                    "vacancy_rate_pct",
                    "sector",
                    "vacancy_rate_source_id",
                    "vacancies_count",
                    "vacancies_source_id",
                    "unemployment_rate_pct",
                    "geography",
                    "unemployment_source_id",
                    "series_note",
                }
            ),
            is_raw=False,
        ),
        Table(
            "ledger",
            "Every published number against the value this project recomputes, with a status.",
            (
                "claim_id",
                "figure",
                "claim",
                "period",
                "published_value",
                "unit",
                "comparison",
                "precision_decimals",
                "ours_value",
                "difference",
                "status",
                "reason",
                "missing_input",
                "ours_value_deflator_2023_06",
                "status_deflator_2023_06",
            ),
            key=("claim_id",),
            nullable=frozenset(
                {
                    "ours_value",
                    "difference",
                    "missing_input",
                    "ours_value_deflator_2023_06",
                    "status_deflator_2023_06",
                }
            ),
            is_raw=False,
        ),
    ]
}


def table(name: str) -> Table:
    """Look up a table by name, with the list of known tables if it is unknown."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise KeyError(f"no table called {name!r}; known tables: {known}") from None


def columns_of(name: str) -> list[Field]:
    """The Field definitions of a table's columns, in file order."""
    return [FIELDS[c] for c in table(name).columns]
